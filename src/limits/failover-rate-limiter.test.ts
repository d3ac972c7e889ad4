/**
 * What limits do when Redis is away (KEYWARD_REDIS_FAILURE): `open` counts in memory, each limit
 * divided by the live instances; `closed` refuses at once. With Redis there, it is the Redis limiter.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl, uniqueName } from '../../test/support/services.ts';
import { isKeywardError } from '../core/errors.ts';
import { OutageLog } from '../faults/outage-log.ts';
import { openRedisConnections, type RedisConnections } from '../faults/redis-connections.ts';
import { FailoverRateLimiter } from './failover-rate-limiter.ts';
import { InstanceCount } from './instance-count.ts';
import { RedisRateLimiter } from './redis-rate-limiter.ts';

const HOUR = 3_600_000;
const budget = (limit: number) => [{ key: `key:${uniqueName('k')}`, limit, windowMs: HOUR }];

/** A connection to a port where nothing listens: never ready, as during an outage. */
function deadRedis(): RedisConnections {
  return openRedisConnections('redis://127.0.0.1:1', { connectTimeoutMs: 200 });
}

function limiterOver(redis: Redis, mode: 'open' | 'closed', live = 1, outages?: OutageLog) {
  const prefix = `${uniqueName('kwfail')}:`;
  return new FailoverRateLimiter({
    redis,
    primary: new RedisRateLimiter(redis, { prefix }),
    mode,
    instances: { live },
    outages,
  });
}

describe('FailoverRateLimiter while Redis is away', () => {
  let dead: RedisConnections;
  beforeAll(() => {
    dead = deadRedis();
  });
  afterAll(async () => {
    await dead.close();
  });

  it('open: each instance allows its share of the budget, decided at once', async () => {
    const limiter = limiterOver(dead.commands, 'open', 2);
    const b = budget(10);
    const started = performance.now();
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await limiter.consume(b, Date.now()));
    expect(performance.now() - started).toBeLessThan(500);
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false, false, false]);
    expect(results[0]!.states[0]!.limit).toBe(5);
  });

  it('closed: refused with ERR_UNAVAILABLE at once', async () => {
    const limiter = limiterOver(dead.commands, 'closed');
    const err = await Promise.resolve(limiter.consume(budget(10), Date.now())).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isKeywardError(err) && err.code).toBe('ERR_UNAVAILABLE');
  });

  it('tells the outage log, which logs the outage once however many calls fail', async () => {
    const lines: string[] = [];
    const log = {
      warn: (_: object, msg: string) => lines.push(msg),
      info: (_: object, msg: string) => lines.push(msg),
    };
    const outages = new OutageLog({ logger: log });
    const limiter = limiterOver(dead.commands, 'open', 1, outages);
    for (let i = 0; i < 50; i++) await limiter.consume(budget(100), Date.now());
    expect(lines).toEqual(['redis unavailable']);
    expect(outages.isDown('redis')).toBe(true);
    outages.up('redis');
    expect(lines).toEqual(['redis unavailable', 'redis recovered']);
    outages.stop();
  });
});

const redisUrl = testRedisUrl();

describe.skipIf(!redisUrl)('FailoverRateLimiter with Redis there', () => {
  let connections: RedisConnections;
  beforeAll(async () => {
    connections = openRedisConnections(redisUrl!);
    expect(await connections.ready(5_000)).toBe(true);
  });
  afterAll(async () => {
    await connections.close();
  });

  it('is the shared limiter: exact under concurrency, whatever the instance count', async () => {
    const limiter = limiterOver(connections.commands, 'open', 4);
    const b = budget(30);
    const results = await Promise.all(Array.from({ length: 90 }, () => limiter.consume(b, Date.now())));
    expect(results.filter((r) => r.allowed).length).toBe(30);
    expect(results[0]!.states[0]!.limit).toBe(30);
  });

  it('counts the instances that beat within three intervals', async () => {
    const prefix = `${uniqueName('kwinst')}:`;
    const a = new InstanceCount(connections.commands, { prefix, intervalMs: 1_000 });
    const b = new InstanceCount(connections.commands, { prefix, intervalMs: 1_000 });
    await a.start();
    await b.start();
    await a.beat();
    expect(a.live).toBe(2);
    await b.stop();
    await a.beat();
    expect(a.live).toBe(1);
    await a.stop();
  });
});
