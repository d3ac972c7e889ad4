/**
 * Plans belong to the operator: a workspace owner cannot change the plan; the operator's change
 * (setWorkspacePlan: admin API, `keyward workspace set-plan`) applies to the next request on every
 * instance, like a revoke.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setWorkspacePlan } from '../../src/accounts/workspace-plan.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { deleteRedisKeys, describeDialects, expectData, expectError, send, useApp } from '../http/harness.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { runCli } from '../support/cli.ts';
import { testRedisUrl, uniqueName } from '../support/services.ts';
import { setupOwner } from '../support/session.ts';
import type { TestDatabase } from '../support/storages.ts';

const operator = { type: 'cli' as const, label: 'billing' };

describeDialects('plans belong to the operator', (create) => {
  const t = useApp(create, { config: { upgradeUrl: 'https://app.example.com/billing' } });

  it('an owner changing the plan is 403 ERR_FORBIDDEN; renaming still works; the dashboard gets the upgrade link', async () => {
    const owner = await setupOwner(t());
    const refused = expectError(
      await owner.call('PATCH', '/api/workspace', { plan: 'enterprise' }),
      403,
      'ERR_FORBIDDEN',
    );
    expect(refused.message).toMatch(/managed by the operator/);
    const renamed = expectData<{ name: string; plan: string; upgrade_url: string }>(
      await owner.call('PATCH', '/api/workspace', { name: 'Acme Inc' }),
    );
    expect(renamed).toMatchObject({
      name: 'Acme Inc',
      plan: 'professional',
      upgrade_url: 'https://app.example.com/billing',
    });
  });

  it('the operator moves a workspace to a plan without API access: its keys get 403 ERR_PLAN_REQUIRED at once', async () => {
    const ws = await t().workspace('professional');
    const { secret } = await t().key(ws, 'read');
    expectData(await send(t(), { method: 'GET', url: '/v1/ping', secret }));
    await setWorkspacePlan(deps(t()), ws, 'free', operator);
    expectError(await send(t(), { method: 'GET', url: '/v1/ping', secret }), 403, 'ERR_PLAN_REQUIRED');
    await setWorkspacePlan(deps(t()), ws, 'enterprise', operator);
    const res = await send(t(), { method: 'GET', url: '/v1/ping', secret });
    expectData(res);
    expect(res.headers['x-ratelimit-limit']).toBe('10000');
  });

  it('an unknown plan is 422 naming the plans, and the change is audited', async () => {
    const ws = await t().workspace('professional');
    await expect(setWorkspacePlan(deps(t()), ws, 'gold', operator)).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
    });
    await setWorkspacePlan(deps(t()), ws, 'enterprise', operator);
    const entries = await t().deps.storage.audit.list(
      ws,
      { action: 'workspace.plan_changed' },
      { limit: 10 },
    );
    expect(entries.items.map((e) => [e.action, e.actor_label])).toEqual([
      ['workspace.plan_changed', 'billing'],
    ]);
  });

  it('keyward workspace set-plan and workspace list, beside the running app', async () => {
    const ws = await t().workspace('professional', 'Listed');
    const env = { KEYWARD_DATABASE_URL: t().deps.config.databaseUrl };
    const set = await runCli(['workspace', 'set-plan', ws, 'enterprise', '--json'], env);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ id: ws, plan: 'enterprise' });
    const list = await runCli(['workspace', 'list', '--json'], env);
    const rows = (JSON.parse(list.stdout) as { data: { id: string; plan: string }[] }).data;
    expect(rows.find((w) => w.id === ws)).toMatchObject({ plan: 'enterprise' });
    const bad = await runCli(['workspace', 'set-plan', ws, 'gold'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/Unknown plan "gold"/);
  });
});

const deps = (app: TestApp) => ({
  storage: app.deps.storage,
  clock: app.clock,
  plans: app.deps.config.plans,
  notify: (m: { workspaceId: string; credentialId: string | null }) => app.deps.bus.publish(m),
});

describeDialects('a plan change on two instances sharing Redis', (create) => {
  const redisUrl = testRedisUrl();
  if (!redisUrl) {
    it.skip('needs Redis (see the warning above)', () => {});
    return;
  }
  const prefix = `${uniqueName('kwtest')}:`;
  const clock = new ManualClock(Date.now());
  let db: TestDatabase | undefined;
  let one: TestApp | undefined;
  let two: TestApp | undefined;
  beforeAll(async () => {
    db = await create();
    one = await startTestApp({ db, redisUrl, redisPrefix: prefix, clock });
    two = await startTestApp({ db, redisUrl, redisPrefix: prefix, clock });
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await db?.drop();
    await deleteRedisKeys(redisUrl, prefix);
  });

  it('applies on the other instance at its next request', async () => {
    const ws = await one!.workspace('professional');
    const { secret } = await one!.key(ws, 'read');
    // Both instances have the credential (and its plan) cached.
    expectData(await send(one!, { method: 'GET', url: '/v1/ping', secret }));
    expectData(await send(two!, { method: 'GET', url: '/v1/ping', secret }));
    await setWorkspacePlan(deps(one!), ws, 'free', operator);
    const deadline = Date.now() + 1_000;
    let answer = await send(two!, { method: 'GET', url: '/v1/ping', secret });
    while (answer.statusCode === 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
      answer = await send(two!, { method: 'GET', url: '/v1/ping', secret });
    }
    expectError(answer, 403, 'ERR_PLAN_REQUIRED');
  });
});
