/** One behaviour suite for both rate limiter backends, so memory and Redis cannot drift apart. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testRedisUrl, uniqueName } from '../../test/support/services.ts';
import { createRateLimiter, MemoryRateLimiter, RedisRateLimiter } from './index.ts';
import type { Budget, RateLimiter } from './rate-limiter.ts';

const WINDOW = 60_000;
const WINDOW_START = Date.parse('2026-01-01T00:00:00Z');
const NOW = WINDOW_START + 10_000;

const budget = (key: string, limit: number, windowMs = WINDOW): Budget => ({ key, limit, windowMs });

interface Backend {
  name: string;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** A limiter whose state no other test sees. */
  fresh(): RateLimiter;
  /** Two limiters sharing state over separate connections, as two server instances would; Redis only. */
  pair?(): [RateLimiter, RateLimiter];
}

const memory: Backend = {
  name: 'memory',
  setup: async () => {},
  teardown: async () => {},
  fresh: () => new MemoryRateLimiter(),
};

function redisBackend(url: string): Backend {
  const runPrefix = uniqueName('kwtest');
  let a: Redis | undefined;
  let b: Redis | undefined;
  let scope = 0;
  // Each test gets its own namespace under the run prefix, so cleanup needs one SCAN pattern.
  const nextPrefix = () => `${runPrefix}:${++scope}:`;
  return {
    name: 'redis',
    async setup() {
      a = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      b = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await Promise.all([a.connect(), b.connect()]);
    },
    async teardown() {
      if (a) {
        let cursor = '0';
        do {
          const [next, keys] = await a.scan(cursor, 'MATCH', `${runPrefix}*`, 'COUNT', 1000);
          if (keys.length > 0) await a.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      }
      await Promise.all([a?.quit(), b?.quit()]);
    },
    fresh: () => new RedisRateLimiter(a!, { prefix: nextPrefix() }),
    pair() {
      const prefix = nextPrefix();
      return [new RedisRateLimiter(a!, { prefix }), new RedisRateLimiter(b!, { prefix })];
    },
  };
}

const redisUrl = testRedisUrl();
const redis: Backend = redisUrl ? redisBackend(redisUrl) : { ...memory, name: 'redis' };

function behaviour(backend: Backend): void {
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());

  it('allows exactly the budget within one window and denies the rest', async () => {
    const limiter = backend.fresh();
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await limiter.consume([budget('key:a', 3)], NOW + i));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false, false]);
    expect(results.map((r) => r.states[0]!.remaining)).toEqual([2, 1, 0, 0, 0]);
  });

  it('a denied request charges nothing (a key over its budget does not drain the workspace pool)', async () => {
    const limiter = backend.fresh();
    const budgets = [budget('key:a', 2), budget('ws:w', 10)];
    for (let i = 0; i < 5; i++) await limiter.consume(budgets, NOW);
    const peeked = await limiter.peek(budgets, NOW);
    expect(peeked.states[0]!.remaining).toBe(0);
    expect(peeked.states[1]!.remaining).toBe(8);
  });

  it('reports remaining and reset at the end of the fixed window', async () => {
    const limiter = backend.fresh();
    const result = await limiter.consume([budget('key:a', 10), budget('ws:w', 100, 1_000)], NOW + 1_234);
    expect(result).toEqual({
      allowed: true,
      deniedIndex: -1,
      states: [
        { key: 'key:a', limit: 10, remaining: 9, resetAt: WINDOW_START + WINDOW },
        { key: 'ws:w', limit: 100, remaining: 99, resetAt: NOW + 2_000 },
      ],
    });
  });

  it('a new window restores the budget', async () => {
    const limiter = backend.fresh();
    const budgets = [budget('key:a', 2)];
    await limiter.consume(budgets, NOW);
    await limiter.consume(budgets, NOW);
    const end = WINDOW_START + WINDOW;
    expect((await limiter.consume(budgets, end - 1)).allowed).toBe(false);
    const next = await limiter.consume(budgets, end);
    expect(next.allowed).toBe(true);
    expect(next.states[0]).toMatchObject({ remaining: 1, resetAt: end + WINDOW });
  });

  it('exact under concurrency: 3× the budget fired concurrently, exactly the budget succeed', async () => {
    const limiter = backend.fresh();
    const budgets = [budget('key:a', 50), budget('ws:w', 1_000)];
    const results = await Promise.all(Array.from({ length: 150 }, () => limiter.consume(budgets, NOW)));
    expect(results.filter((r) => r.allowed)).toHaveLength(50);
    expect((await limiter.peek(budgets, NOW)).states[1]!.remaining).toBe(950);
  });

  it('deniedIndex names the budget that ran out', async () => {
    const limiter = backend.fresh();
    const budgets = [budget('ws:w', 10), budget('key:a', 2), budget('key:b', 1)];
    expect((await limiter.consume(budgets, NOW)).deniedIndex).toBe(-1);
    const denied = await limiter.consume(budgets, NOW);
    expect(denied).toMatchObject({ allowed: false, deniedIndex: 2 });
    // The first exhausted budget is named when several are.
    await limiter.consume([budgets[1]!], NOW);
    expect((await limiter.consume(budgets, NOW)).deniedIndex).toBe(1);
  });

  it('refund gives back a charge of the same window, never below zero, and never to a past window', async () => {
    const limiter = backend.fresh();
    const budgets = [budget('key:a', 3), budget('ws:w', 10)];
    for (let i = 0; i < 3; i++) await limiter.consume(budgets, NOW);
    expect((await limiter.consume(budgets, NOW)).allowed).toBe(false);
    await limiter.refund(budgets, NOW);
    expect((await limiter.peek(budgets, NOW)).states.map((s) => s.remaining)).toEqual([1, 8]);
    expect((await limiter.consume(budgets, NOW)).allowed).toBe(true);
    // A counter never charged stays at zero: the budget is not raised by refunds.
    const fresh = [budget('key:never', 2)];
    await limiter.refund(fresh, NOW);
    await limiter.refund(fresh, NOW);
    const charged = await Promise.all([1, 2, 3].map(() => limiter.consume(fresh, NOW)));
    expect(charged.map((r) => r.allowed)).toEqual([true, true, false]);
    // A refund for the previous window (the window ended between charge and refund) leaves the new
    // window's counter alone.
    const next = WINDOW_START + WINDOW;
    await limiter.consume(budgets, next);
    await limiter.refund(budgets, NOW);
    expect((await limiter.peek(budgets, next)).states[0]!.remaining).toBe(2);
    await limiter.refund(budgets, next);
    expect((await limiter.peek(budgets, next)).states[0]!.remaining).toBe(3);
  });

  it('peek does not charge', async () => {
    const limiter = backend.fresh();
    const budgets = [budget('key:a', 1)];
    for (let i = 0; i < 3; i++) {
      expect(await limiter.peek(budgets, NOW)).toMatchObject({ allowed: true, states: [{ remaining: 1 }] });
    }
    expect((await limiter.consume(budgets, NOW)).allowed).toBe(true);
    const after = await limiter.peek(budgets, NOW);
    expect(after).toMatchObject({ allowed: false, deniedIndex: 0, states: [{ remaining: 0 }] });
  });

  it('no budgets: allowed, nothing to report', async () => {
    const result = await backend.fresh().consume([], NOW);
    expect(result).toEqual({ allowed: true, states: [], deniedIndex: -1 });
  });
}

describe.each([memory])('rate limiter: $name', behaviour);
const describeRedis = redisUrl ? describe : describe.skip;
describeRedis.each([redis])('rate limiter: $name', (backend) => {
  behaviour(backend);

  it('exact under concurrency across two server instances: 3× the budget, exactly the budget succeed', async () => {
    const [one, two] = backend.pair!();
    const budgets = [budget('key:a', 50), budget('ws:w', 1_000)];
    const calls = Array.from({ length: 150 }, (_, i) => (i % 2 ? one : two).consume(budgets, NOW));
    const results = await Promise.all(calls);
    expect(results.filter((r) => r.allowed)).toHaveLength(50);
    expect((await two.peek(budgets, NOW)).states[1]!.remaining).toBe(950);
  });

  it('calls made in one turn run as one script, decided in order, each seeing the charges before it', async () => {
    const connection = new Redis(redisUrl!);
    const prefix = uniqueName('kwtest');
    const sent = vi.spyOn(connection, 'sendCommand');
    try {
      const limiter = new RedisRateLimiter(connection, { prefix });
      await connection.ping();
      sent.mockClear();
      const budgets = [budget('key:a', 2), budget('ws:w', 10)];
      const end = WINDOW_START + WINDOW;
      const results = await Promise.all([
        limiter.consume(budgets, NOW),
        limiter.peek(budgets, NOW),
        limiter.consume(budgets, NOW),
        limiter.consume(budgets, NOW),
        limiter.peek(budgets, NOW),
        // The next window of the same budgets is another counter.
        limiter.consume([budget('key:a', 2)], end),
        limiter.consume([], NOW),
      ]);
      expect(sent).toHaveBeenCalledTimes(1);
      expect(results.map((r) => r.allowed)).toEqual([true, true, true, false, false, true, true]);
      expect(results.map((r) => r.states[0]?.remaining)).toEqual([1, 1, 0, 0, 0, 1, undefined]);
      expect(results.map((r) => r.states[1]?.remaining)).toEqual([9, 9, 8, 8, 8, undefined, undefined]);
      expect(results[3]!.deniedIndex).toBe(0);
      expect(results[5]!.states[0]!.resetAt).toBe(end + WINDOW);
      // Each counter holds the charges of the calls that were allowed, and expires.
      const counter = (name: string, start: number) => `${prefix}rl:${name}:${start}`;
      const keys = await connection.keys(`${prefix}rl:*`);
      const values = await Promise.all(keys.map(async (k) => [k, await connection.get(k)] as const));
      expect(Object.fromEntries(values)).toEqual({
        [counter('key:a', WINDOW_START)]: '2',
        [counter('ws:w', WINDOW_START)]: '2',
        [counter('key:a', end)]: '1',
      });
      for (const key of keys) expect(await connection.pttl(key)).toBeGreaterThan(0);
      await connection.del(...keys);
    } finally {
      sent.mockRestore();
      await connection.quit();
    }
  });

  it('a batch larger than one script run is split, and stays exact', async () => {
    const limiter = backend.fresh();
    const budgets = [budget('key:a', 1_000), budget('ws:w', 5_000)];
    const results = await Promise.all(Array.from({ length: 1_200 }, () => limiter.consume(budgets, NOW)));
    expect(results.filter((r) => r.allowed)).toHaveLength(1_000);
    expect(results.slice(0, 1_000).every((r) => r.allowed)).toBe(true);
    expect((await limiter.peek(budgets, NOW)).states[1]!.remaining).toBe(4_000);
  });

  it('when Redis cannot run the script, every call of the batch fails', async () => {
    const offline = new Redis(redisUrl!, { lazyConnect: true, enableOfflineQueue: false });
    offline.on('error', () => {}); // the failed connection attempt; the calls carry the failure
    try {
      const limiter = new RedisRateLimiter(offline, { prefix: uniqueName('kwtest') });
      const calls = [limiter.consume([budget('key:a', 5)], NOW), limiter.peek([budget('key:b', 5)], NOW)];
      const settled = await Promise.allSettled(calls);
      expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    } finally {
      offline.disconnect();
    }
  });

  it('counters expire shortly after their window, and close() leaves the given connection open', async () => {
    const connection = new Redis(redisUrl!);
    const prefix = uniqueName('kwtest');
    try {
      const limiter = createRateLimiter({ redis: connection, prefix });
      expect(limiter).toBeInstanceOf(RedisRateLimiter);
      await limiter.consume([budget('key:a', 5, 1_000)], Date.now());
      const [key] = await connection.keys(`${prefix}rl:key:a:*`);
      const ttl = await connection.pttl(key!);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(1_000 + 5_000);
      await limiter.close();
      expect(await connection.ping()).toBe('PONG');
      await connection.del(key!);
    } finally {
      await connection.quit();
    }
  });
});

describe('memory rate limiter', () => {
  it('is what createRateLimiter returns without Redis', () => {
    expect(createRateLimiter({})).toBeInstanceOf(MemoryRateLimiter);
  });

  it('expired windows are swept (memory does not grow without bound)', async () => {
    const limiter = new MemoryRateLimiter({ sweepIntervalMs: 1_000 });
    for (let i = 0; i < 1_000; i++) await limiter.consume([budget(`key:${i}`, 5, 1_000)], NOW);
    expect(limiter.size).toBe(1_000);
    await limiter.consume([budget('key:late', 5, 1_000)], NOW + 5_000);
    expect(limiter.size).toBe(1);
  });

  it('never holds more than maxEntries counters, even when all are live', async () => {
    const limiter = new MemoryRateLimiter({ maxEntries: 100 });
    for (let i = 0; i < 1_000; i++) await limiter.consume([budget(`key:${i}`, 5)], NOW);
    expect(limiter.size).toBeLessThanOrEqual(100);
    expect((await limiter.consume([budget('key:999', 5)], NOW)).states[0]!.remaining).toBe(3);
  });
});
