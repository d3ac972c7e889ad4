/**
 * The verifier's cache misses: concurrent misses for one key share one read, and an invalidation
 * that arrives while a read is under way keeps its result out of the cache. Budgets are built once.
 */
import { describe, expect, it } from 'vitest';
import { CredentialCache } from '../cache/credential-cache.ts';
import { resolvePlans } from '../core/plans.ts';
import { digestSecret, generateSecret } from '../core/secrets.ts';
import { MemoryRateLimiter } from '../limits/memory-rate-limiter.ts';
import type { Budget, ConsumeResult, RateLimiter } from '../limits/rate-limiter.ts';
import type { Storage } from '../storage/index.ts';
import type { SecretLookup } from '../storage/repositories/credentials.ts';
import { CredentialVerifier, toCacheEntry } from './verify.ts';

const NOW = Date.parse('2026-03-01T00:00:00Z');
const plans = resolvePlans({ solo: { api_access: true, key_rate_limit: '5/m' } });

function lookup(
  over: { revokedAt?: number | null; plan?: string; rateLimit?: string | null } = {},
): SecretLookup {
  return {
    credential: {
      id: 'key_1',
      workspace_id: 'ws_1',
      kind: 'api_key',
      name: 'k',
      description: '',
      scopes: '["read"]',
      rate_limit: over.rateLimit ?? null,
      expires_at: null,
      revoked_at: over.revokedAt ?? null,
      deleted_at: null,
      last_used_at: null,
      last_used_ip: null,
      created_at: NOW,
      updated_at: NOW,
    },
    secret: {
      hash: 'h',
      credential_id: 'key_1',
      start: 'abcd',
      prefix: 'spk_',
      expires_at: null,
      created_at: NOW,
    },
    workspace: {
      id: 'ws_1',
      name: 'Acme',
      plan: over.plan ?? 'professional',
      settings: '{}',
      created_at: NOW,
    },
  };
}

/** A storage whose reads wait until the test answers them, one by one. */
function pendingStorage() {
  const reads: { resolve: (v: SecretLookup | undefined) => void; reject: (e: Error) => void }[] = [];
  const storage = {
    credentials: {
      findBySecretHash: () =>
        new Promise<SecretLookup | undefined>((resolve, reject) => reads.push({ resolve, reject })),
    },
  } as unknown as Storage;
  return { storage, reads };
}

const settle = () => new Promise((r) => setImmediate(r));

function verifierOver(storage: Storage, limiter: RateLimiter = new MemoryRateLimiter()) {
  const cache = new CredentialCache();
  const verifier = new CredentialVerifier({ storage, cache, limiter, plans, prefixes: ['spk_'] });
  return { cache, verifier };
}

describe('credential verifier', () => {
  it('answers a cached key from the cache, without another read', async () => {
    const { storage, reads } = pendingStorage();
    const { verifier } = verifierOver(storage);
    const secret = generateSecret('spk_');
    const miss = verifier.verify(secret, NOW);
    await settle();
    reads[0]!.resolve(lookup());
    expect((await miss).code).toBe('VALID');
    expect(await verifier.verify(secret, NOW, 'boards:read')).toMatchObject({ code: 'VALID' });
    // A wrong checksum is still refused before any lookup, cached or not.
    const typo = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    expect(await verifier.verify(typo, NOW)).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(reads).toHaveLength(1);
  });

  it('concurrent misses for one key read the database once, and the entry is cached', async () => {
    const { storage, reads } = pendingStorage();
    const { cache, verifier } = verifierOver(storage);
    const secret = generateSecret('spk_');
    const results = Promise.all([1, 2, 3].map(() => verifier.verify(secret, NOW)));
    await settle();
    expect(reads).toHaveLength(1);
    reads[0]!.resolve(lookup());
    expect((await results).map((r) => r.code)).toEqual(['VALID', 'VALID', 'VALID']);
    expect(cache.get(digestSecret(secret))?.credentialId).toBe('key_1');
    expect((await verifier.verify(secret, NOW)).code).toBe('VALID');
    expect(reads).toHaveLength(1);
  });

  it('a failed read fails the requests that shared it, and the next request reads again', async () => {
    const { storage, reads } = pendingStorage();
    const { verifier } = verifierOver(storage);
    const secret = generateSecret('spk_');
    const both = Promise.allSettled([verifier.verify(secret, NOW), verifier.verify(secret, NOW)]);
    await settle();
    reads[0]!.reject(new Error('database went away'));
    expect((await both).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const again = verifier.verify(secret, NOW);
    await settle();
    expect(reads).toHaveLength(2);
    reads[1]!.resolve(undefined);
    expect((await again).code).toBe('UNAUTHENTICATED');
  });

  it('an invalidation during a read keeps its result out of the cache', async () => {
    for (const invalidate of [
      (c: CredentialCache) => c.invalidateCredential('key_1'),
      (c: CredentialCache) => c.invalidateWorkspace('ws_1'),
      // Another credential's change: the read may still be stale, so it is not kept either.
      (c: CredentialCache) => c.invalidateCredential('key_other'),
    ]) {
      const { storage, reads } = pendingStorage();
      const { cache, verifier } = verifierOver(storage);
      const secret = generateSecret('spk_');
      const first = verifier.verify(secret, NOW);
      await settle();
      invalidate(cache); // e.g. the key was revoked after the read saw it active
      reads[0]!.resolve(lookup());
      expect((await first).code).toBe('VALID');
      expect(cache.get(digestSecret(secret))).toBeUndefined();

      const second = verifier.verify(secret, NOW);
      await settle();
      expect(reads).toHaveLength(2);
      reads[1]!.resolve(lookup({ revokedAt: NOW - 1 }));
      expect((await second).code).toBe('KEY_REVOKED');
      expect(cache.get(digestSecret(secret))?.revokedAt).toBe(NOW - 1);
    }
  });

  it('a request after an invalidation does not join a read that began before it', async () => {
    const { storage, reads } = pendingStorage();
    const { cache, verifier } = verifierOver(storage);
    const secret = generateSecret('spk_');
    const before = verifier.verify(secret, NOW);
    await settle();
    cache.invalidateCredential('key_1');
    const after = verifier.verify(secret, NOW);
    const alsoAfter = verifier.verify(secret, NOW);
    await settle();
    expect(reads).toHaveLength(2);
    reads[1]!.resolve(lookup({ revokedAt: NOW - 1 }));
    reads[0]!.resolve(lookup());
    expect([(await before).code, (await after).code, (await alsoAfter).code]).toEqual([
      'VALID',
      'KEY_REVOKED',
      'KEY_REVOKED',
    ]);
    // The newer read is the one kept.
    expect(cache.get(digestSecret(secret))?.revokedAt).toBe(NOW - 1);
  });

  it('budgets are built once per cache entry and handed to the limiter as they are', async () => {
    expect(toCacheEntry(lookup(), plans).budgets).toEqual([
      { key: 'key:key_1', limit: 1000, windowMs: 3_600_000 },
      { key: 'ws:ws_1', limit: 10_000, windowMs: 3_600_000 },
    ]);
    expect(toCacheEntry(lookup({ plan: 'solo' }), plans).budgets).toEqual([
      { key: 'key:key_1', limit: 5, windowMs: 60_000 },
    ]);
    expect(toCacheEntry(lookup({ rateLimit: '7/s' }), plans).budgets[0]).toEqual({
      key: 'key:key_1',
      limit: 7,
      windowMs: 1_000,
    });

    const seen: (readonly Budget[])[] = [];
    const inner = new MemoryRateLimiter();
    const limiter: RateLimiter = {
      consume(budgets, now): Promise<ConsumeResult> {
        seen.push(budgets);
        return inner.consume(budgets, now);
      },
      peek: (budgets, now) => inner.peek(budgets, now),
      refund: (budgets, now) => inner.refund(budgets, now),
      close: () => inner.close(),
    };
    const { storage, reads } = pendingStorage();
    const { cache, verifier } = verifierOver(storage, limiter);
    const secret = generateSecret('spk_');
    const first = verifier.verify(secret, NOW);
    await settle();
    reads[0]!.resolve(lookup());
    await first;
    const second = await verifier.verify(secret, NOW);
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[0]).toBe(cache.get(digestSecret(secret))?.budgets);
    expect(second).toMatchObject({
      code: 'VALID',
      ratelimit: { key: 'key:key_1', remaining: 998 },
      keyBudget: { key: 'key:key_1', limit: 1000, remaining: 998 },
    });
  });
});
