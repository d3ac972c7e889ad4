/**
 * The invalidation bus over every storage × (no Redis | Redis): a change made by another process
 * reaches this process's cache through the database log, and through Redis at once.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl, uniqueName } from '../../test/support/services.ts';
import { dialects, type TestDatabase } from '../../test/support/storages.ts';
import { resolvePlans } from '../core/plans.ts';
import { openStorage, type Storage } from '../storage/index.ts';
import { type CachedCredential, CredentialCache } from './credential-cache.ts';
import { InvalidationBus, type InvalidationBusOptions } from './invalidation-bus.ts';

const plan = resolvePlans().get('professional')!;
const NOW = Date.parse('2026-01-01T00:00:00Z');
/** Long enough that only an explicit poll() runs, unless a test asks for the timer. */
const MANUAL = 3_600_000;

function entry(credentialId: string, workspaceId: string): CachedCredential {
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

/** Resolves once `done()` holds, with the time it took; rejects after `limitMs`. */
async function within(limitMs: number, done: () => boolean): Promise<number> {
  const start = performance.now();
  while (!done()) {
    if (performance.now() - start > limitMs) throw new Error(`not done within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - start;
}

const redisUrl = testRedisUrl();
const backends = [
  { backend: 'no Redis', url: undefined as string | undefined },
  { backend: 'Redis', url: redisUrl },
];
const matrix = dialects().flatMap((d) => backends.map((b) => ({ ...d, ...b })));

describe.each(matrix)('invalidation bus on $name with $backend', ({ name, create, backend, url }) => {
  if (!create || (backend === 'Redis' && !url)) {
    it.skip(`${name} with ${backend} is not configured`, () => {});
    return;
  }
  let db: TestDatabase;
  /** The same database opened again, as the CLI or a second server would. */
  let elsewhere: Storage;
  const connections: Redis[] = [];
  const buses: InvalidationBus[] = [];
  const channel = uniqueName('kwtest:invalidations');
  let seq = 0;
  const ids = () => ({ ws: `ws_${++seq}`, key: `key_${seq}`, hash: `hash_${seq}` });

  beforeAll(async () => {
    db = await create();
    elsewhere = openStorage(db.url);
  });
  afterAll(async () => {
    await elsewhere?.close();
    await db?.drop();
  });
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.stop()));
    await Promise.all(connections.splice(0).map((c) => c.quit()));
  });

  function redisFor(): InvalidationBusOptions['redis'] {
    if (!url) return undefined;
    const publisher = new Redis(url);
    const subscriber = new Redis(url);
    connections.push(publisher, subscriber);
    return { publisher, subscriber, channel };
  }

  async function startBus(pollIntervalMs = MANUAL, storage = db.storage) {
    const cache = new CredentialCache();
    const bus = new InvalidationBus({ storage, cache, redis: redisFor(), pollIntervalMs });
    buses.push(bus);
    await bus.start();
    return { bus, cache };
  }

  it('a credential change logged by another process is applied by the next poll', async () => {
    const { bus, cache } = await startBus();
    const a = ids();
    const b = ids();
    cache.set(a.hash, entry(a.key, a.ws));
    cache.set(b.hash, entry(b.key, a.ws));
    await elsewhere.invalidations.record(a.ws, a.key, NOW);
    expect(cache.get(a.hash)).toBeDefined();
    await bus.poll();
    expect(cache.get(a.hash)).toBeUndefined();
    expect(cache.get(b.hash)).toBeDefined();
  });

  it('a workspace-wide change drops every credential of that workspace only', async () => {
    const { bus, cache } = await startBus();
    const a = ids();
    const b = ids();
    const other = ids();
    cache.set(a.hash, entry(a.key, a.ws));
    cache.set(b.hash, entry(b.key, a.ws));
    cache.set(other.hash, entry(other.key, other.ws));
    await elsewhere.invalidations.record(a.ws, null, NOW);
    await bus.poll();
    expect(cache.get(a.hash)).toBeUndefined();
    expect(cache.get(b.hash)).toBeUndefined();
    expect(cache.get(other.hash)).toBeDefined();
  });

  it('changes logged before the bus started are not replayed', async () => {
    const a = ids();
    await elsewhere.invalidations.record(a.ws, a.key, NOW);
    const { bus, cache } = await startBus();
    cache.set(a.hash, entry(a.key, a.ws));
    await bus.poll();
    expect(cache.get(a.hash)).toBeDefined();
  });

  it('each logged change is applied once, in order, across several polls', async () => {
    const { bus, cache } = await startBus();
    const a = ids();
    await elsewhere.invalidations.record(a.ws, a.key, NOW);
    await bus.poll();
    cache.set(a.hash, entry(a.key, a.ws)); // cached again after the change: still valid
    await bus.poll();
    expect(cache.get(a.hash)).toBeDefined();
    await elsewhere.invalidations.record(a.ws, a.key, NOW);
    await bus.poll();
    expect(cache.get(a.hash)).toBeUndefined();
  });

  it('with the timer running, a change made elsewhere is applied within 1 second', async () => {
    const { cache } = await startBus(250);
    const a = ids();
    cache.set(a.hash, entry(a.key, a.ws));
    await elsewhere.invalidations.record(a.ws, a.key, NOW);
    const ms = await within(1_000, () => cache.get(a.hash) === undefined);
    expect(ms).toBeLessThan(1_000);
  });

  // SQLite has one writer at a time, so a later entry can never commit first there.
  if (name !== 'sqlite') {
    it('a change committed after a later one was already seen is still applied', async () => {
      const { bus, cache } = await startBus();
      const slow = ids();
      const fast = ids();
      cache.set(slow.hash, entry(slow.key, slow.ws));
      cache.set(fast.hash, entry(fast.key, fast.ws));
      let commit!: () => void;
      const gate = new Promise<void>((r) => (commit = r));
      let logged!: () => void;
      const slowLogged = new Promise<void>((r) => (logged = r));
      // The slow transaction takes its sequence number first and commits last.
      const slowTx = elsewhere.transaction(async (tx) => {
        await tx.invalidations.record(slow.ws, slow.key, NOW);
        logged();
        await gate;
      });
      await slowLogged;
      await elsewhere.invalidations.record(fast.ws, fast.key, NOW);
      await bus.poll();
      expect(cache.get(fast.hash)).toBeUndefined();
      commit();
      await slowTx;
      await bus.poll();
      expect(cache.get(slow.hash)).toBeUndefined();
    });
  }

  it('publish drops the entry in this process at once', async () => {
    const { bus, cache } = await startBus();
    const a = ids();
    cache.set(a.hash, entry(a.key, a.ws));
    await bus.publish({ workspaceId: a.ws, credentialId: a.key });
    expect(cache.get(a.hash)).toBeUndefined();
  });

  if (backend === 'Redis') {
    it("a publish on one instance reaches another instance's cache in under 200 ms", async () => {
      const one = await startBus();
      const two = await startBus(MANUAL, elsewhere);
      const a = ids();
      two.cache.set(a.hash, entry(a.key, a.ws));
      await one.bus.publish({ workspaceId: a.ws, credentialId: a.key });
      const ms = await within(200, () => two.cache.get(a.hash) === undefined);
      expect(ms).toBeLessThan(200);
    });

    it('a workspace-wide publish reaches the other instance too', async () => {
      const one = await startBus();
      const two = await startBus();
      const a = ids();
      two.cache.set(a.hash, entry(a.key, a.ws));
      await one.bus.publish({ workspaceId: a.ws, credentialId: null });
      await within(200, () => two.cache.get(a.hash) === undefined);
    });

    it('a malformed message is ignored and the bus keeps working', async () => {
      const one = await startBus();
      const two = await startBus();
      const a = ids();
      two.cache.set(a.hash, entry(a.key, a.ws));
      const raw = connections[0]!;
      await raw.publish(channel, 'not json');
      await raw.publish(channel, JSON.stringify({ nothing: 'useful' }));
      await one.bus.publish({ workspaceId: a.ws, credentialId: a.key });
      await within(200, () => two.cache.get(a.hash) === undefined);
    });
  } else {
    it('without Redis, publish does not reach another instance until the change is logged', async () => {
      const one = await startBus();
      const two = await startBus();
      const a = ids();
      two.cache.set(a.hash, entry(a.key, a.ws));
      await one.bus.publish({ workspaceId: a.ws, credentialId: a.key });
      await two.bus.poll();
      expect(two.cache.get(a.hash)).toBeDefined();
      await db.storage.invalidations.record(a.ws, a.key, NOW);
      await two.bus.poll();
      expect(two.cache.get(a.hash)).toBeUndefined();
    });
  }
});
