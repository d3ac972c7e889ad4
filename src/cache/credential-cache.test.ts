/** The credential cache: bounded, and every change to a credential or workspace drops what it must. */
import { describe, expect, it } from 'vitest';
import { resolvePlans } from '../core/plans.ts';
import { type CachedCredential, CredentialCache } from './credential-cache.ts';

const plan = resolvePlans().get('professional')!;

function entry(credentialId: string, workspaceId = 'ws_1'): CachedCredential {
  return {
    credentialId,
    workspaceId,
    kind: 'api_key',
    name: credentialId,
    scopes: ['read'],
    plan,
    keyLimit: plan.keyLimit,
    revokedAt: null,
    expiresAt: null,
    secretEndsAt: null,
    alertBudgetPercent: null,
    budgets: [{ key: `key:${credentialId}`, limit: plan.keyLimit.limit, windowMs: plan.keyLimit.windowMs }],
  };
}

/** The reverse index from credential to hashes; it must shrink as entries leave. */
const indexOf = (cache: CredentialCache) =>
  (cache as unknown as { hashesByCredential: Map<string, Set<string>> }).hashesByCredential;

describe('credential cache', () => {
  it('returns what was stored, by secret hash', () => {
    const cache = new CredentialCache();
    const e = entry('key_a');
    cache.set('h1', e);
    expect(cache.get('h1')).toBe(e);
    expect(cache.get('h2')).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('never holds more than its bound, evicting the least recently used', () => {
    const cache = new CredentialCache(3);
    cache.set('h1', entry('key_1'));
    cache.set('h2', entry('key_2'));
    cache.set('h3', entry('key_3'));
    cache.get('h1'); // h1 is now the most recently used; h2 the least.
    cache.set('h4', entry('key_4'));
    expect(cache.size).toBe(3);
    expect(cache.get('h2')).toBeUndefined();
    expect(cache.get('h1')).toBeDefined();
    for (let i = 5; i < 1_000; i++) cache.set(`h${i}`, entry(`key_${i}`));
    expect(cache.size).toBe(3);
  });

  it('invalidateCredential drops every secret of that credential (current and in grace) and nothing else', () => {
    const cache = new CredentialCache();
    cache.set('current', entry('key_a'));
    cache.set('previous', entry('key_a'));
    cache.set('other', entry('key_b'));
    cache.invalidateCredential('key_a');
    expect(cache.get('current')).toBeUndefined();
    expect(cache.get('previous')).toBeUndefined();
    expect(cache.get('other')).toBeDefined();
    expect(cache.size).toBe(1);
  });

  it('invalidating an unknown credential is harmless', () => {
    const cache = new CredentialCache();
    cache.set('h', entry('key_a'));
    cache.invalidateCredential('key_missing');
    expect(cache.size).toBe(1);
  });

  it('a secret cached again after an invalidation is dropped by the next one', () => {
    const cache = new CredentialCache();
    cache.set('h', entry('key_a'));
    cache.invalidateCredential('key_a');
    cache.set('h', entry('key_a'));
    cache.invalidateCredential('key_a');
    expect(cache.get('h')).toBeUndefined();
  });

  it('replacing an entry keeps it reachable by its credential', () => {
    const cache = new CredentialCache();
    cache.set('h', entry('key_a'));
    cache.set('h', { ...entry('key_a'), revokedAt: 1 });
    cache.invalidateCredential('key_a');
    expect(cache.get('h')).toBeUndefined();
    expect(indexOf(cache).size).toBe(0);
  });

  it('invalidateWorkspace drops every entry of that workspace and keeps the others', () => {
    const cache = new CredentialCache();
    // Interleaved, so entries are removed while the cache is being walked.
    for (let i = 0; i < 200; i++) cache.set(`h${i}`, entry(`key_${i}`, i % 2 ? 'ws_odd' : 'ws_even'));
    cache.invalidateWorkspace('ws_even');
    expect(cache.size).toBe(100);
    for (let i = 0; i < 200; i++) {
      expect(cache.get(`h${i}`)?.workspaceId, `h${i}`).toBe(i % 2 ? 'ws_odd' : undefined);
    }
    expect(indexOf(cache).size).toBe(100);
  });

  it('evicted entries are unlinked from their credential, so the index stays bounded too', () => {
    const cache = new CredentialCache(10);
    for (let i = 0; i < 1_000; i++) cache.set(`h${i}`, entry(`key_${i}`));
    expect(indexOf(cache).size).toBe(10);
    expect([...indexOf(cache).keys()]).toEqual(Array.from({ length: 10 }, (_, i) => `key_${990 + i}`));
  });

  it('evicting one secret of a credential leaves its other secret invalidatable', () => {
    const cache = new CredentialCache(2);
    cache.set('old', entry('key_a'));
    cache.set('new', entry('key_a'));
    cache.get('old');
    cache.set('x', entry('key_x')); // evicts 'new', the least recently used
    expect(cache.get('new')).toBeUndefined();
    expect([...indexOf(cache).get('key_a')!]).toEqual(['old']);
    cache.invalidateCredential('key_a');
    expect(cache.get('old')).toBeUndefined();
    expect(cache.get('x')).toBeDefined();
  });

  it('clear empties the cache and its index', () => {
    const cache = new CredentialCache();
    cache.set('h1', entry('key_a'));
    cache.set('h2', entry('key_b'));
    cache.clear();
    expect(cache.size).toBe(0);
    expect(indexOf(cache).size).toBe(0);
  });
});
