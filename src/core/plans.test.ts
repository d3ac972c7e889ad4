/** Plans: the built-ins and how a plans file is merged over them. */
import { describe, expect, it } from 'vitest';
import { BUILT_IN_PLANS, plansFileSchema, resolvePlans } from './plans.ts';

const HOUR = 3_600_000;

describe('built-in plans', () => {
  const plans = resolvePlans();

  it('are free, professional and enterprise', () => {
    expect([...plans.keys()].sort()).toEqual(['enterprise', 'free', 'professional']);
  });

  it('free has no API access', () => {
    expect(plans.get('free')).toMatchObject({ name: 'free', apiAccess: false });
  });

  it('professional allows 1000 requests/hour per key and 10000/hour for the workspace', () => {
    expect(plans.get('professional')).toEqual({
      name: 'professional',
      apiAccess: true,
      keyLimit: { limit: 1000, windowMs: HOUR },
      workspaceLimit: { limit: 10_000, windowMs: HOUR },
    });
  });

  it('enterprise is higher than professional on both limits', () => {
    const pro = plans.get('professional')!;
    const ent = plans.get('enterprise')!;
    expect(ent.apiAccess).toBe(true);
    expect(ent.keyLimit.limit / ent.keyLimit.windowMs).toBeGreaterThan(
      pro.keyLimit.limit / pro.keyLimit.windowMs,
    );
    expect(ent.workspaceLimit!.limit).toBeGreaterThan(pro.workspaceLimit!.limit);
  });

  it('resolving does not change the built-in table', () => {
    const before = structuredClone(BUILT_IN_PLANS);
    resolvePlans({ professional: { api_access: false } });
    expect(BUILT_IN_PLANS).toEqual(before);
  });
});

describe('plans file merge', () => {
  it('a plan of the same name replaces the built-in entirely', () => {
    const plans = resolvePlans({ professional: { api_access: true, key_rate_limit: '5/m' } });
    expect(plans.get('professional')).toEqual({
      name: 'professional',
      apiAccess: true,
      keyLimit: { limit: 5, windowMs: 60_000 },
      workspaceLimit: null,
    });
  });

  it('new plans are added beside the built-ins', () => {
    const plans = resolvePlans({
      startup: { api_access: true, key_rate_limit: '100/h', workspace_rate_limit: '500/h' },
    });
    expect(plans.get('startup')).toEqual({
      name: 'startup',
      apiAccess: true,
      keyLimit: { limit: 100, windowMs: HOUR },
      workspaceLimit: { limit: 500, windowMs: HOUR },
    });
    expect(plans.has('free')).toBe(true);
    expect(plans.has('professional')).toBe(true);
    expect(plans.has('enterprise')).toBe(true);
  });

  it('a plan without a key limit gets the default of 1000 per hour', () => {
    expect(resolvePlans({ open: { api_access: true } }).get('open')!.keyLimit).toEqual({
      limit: 1000,
      windowMs: HOUR,
    });
  });

  it('the example from DESIGN.md is a valid plans file', () => {
    const parsed = plansFileSchema.safeParse({
      professional: { api_access: true, key_rate_limit: '1000/h', workspace_rate_limit: '10000/h' },
      free: { api_access: false },
    });
    expect(parsed.success).toBe(true);
  });

  it.each([
    [
      'a bad rate limit',
      { pro: { api_access: true, key_rate_limit: '1000 per hour' } },
      'pro.key_rate_limit',
    ],
    ['a missing api_access', { pro: { key_rate_limit: '1000/h' } }, 'pro.api_access'],
    ['api_access as a string', { pro: { api_access: 'yes' } }, 'pro.api_access'],
    ['a misspelt field', { pro: { api_access: true, key_rate_limt: '5/m' } }, 'pro'],
    ['an empty plan name', { '': { api_access: true } }, ''],
  ])('rejects %s', (_what, file, path) => {
    const parsed = plansFileSchema.safeParse(file);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it.each([
    ['an array', [{ api_access: true }]],
    ['null', null],
    ['a string', 'professional'],
  ])('rejects a file that is %s', (_what, file) => {
    expect(plansFileSchema.safeParse(file).success).toBe(false);
  });
});
