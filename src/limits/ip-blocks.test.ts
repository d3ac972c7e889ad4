import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl, uniqueName } from '../../test/support/services.ts';
import { IpBlocks } from './ip-blocks.ts';

const NOW = 1_800_000_000_000;

describe('IpBlocks on one instance', () => {
  it('blocks an address until its window ends, then forgets it', () => {
    const blocks = new IpBlocks();
    expect(blocks.empty).toBe(true);
    blocks.block('203.0.113.1', NOW + 60_000, NOW);
    expect(blocks.empty).toBe(false);
    expect(blocks.blockedUntil('203.0.113.1', NOW)).toBe(NOW + 60_000);
    expect(blocks.blockedUntil('203.0.113.2', NOW)).toBeUndefined();
    expect(blocks.blockedUntil('203.0.113.1', NOW + 60_000)).toBeUndefined();
    expect(blocks.empty).toBe(true);
  });

  it('keeps the later end when an address is blocked twice', () => {
    const blocks = new IpBlocks();
    blocks.block('203.0.113.1', NOW + 60_000, NOW);
    blocks.block('203.0.113.1', NOW + 30_000, NOW);
    expect(blocks.blockedUntil('203.0.113.1', NOW)).toBe(NOW + 60_000);
  });

  it('drops ended blocks once the map is large (addresses that never come back)', () => {
    const blocks = new IpBlocks();
    for (let i = 0; i < 10_000; i++) blocks.block(`10.0.${i >> 8}.${i & 255}`, NOW + 1, NOW);
    blocks.block('203.0.113.1', NOW + 120_000, NOW + 60_000);
    expect((blocks as unknown as { until: Map<string, number> }).until.size).toBe(1);
  });
});

const redisUrl = testRedisUrl();

describe.skipIf(!redisUrl)('IpBlocks across instances (Redis)', () => {
  const channel = `${uniqueName('kwtest')}:ip-blocks`;
  const connections: Redis[] = [];
  const instances: IpBlocks[] = [];
  const instance = async () => {
    const [publisher, subscriber] = [new Redis(redisUrl!), new Redis(redisUrl!)];
    connections.push(publisher, subscriber);
    const blocks = new IpBlocks({ redis: { publisher, subscriber, channel } });
    await blocks.start();
    instances.push(blocks);
    return blocks;
  };
  const eventually = async (check: () => boolean) => {
    const deadline = Date.now() + 2_000;
    while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return check();
  };
  let one: IpBlocks;
  let two: IpBlocks;

  beforeAll(async () => {
    one = await instance();
    two = await instance();
  });
  afterAll(async () => {
    await Promise.all(instances.map((b) => b.stop()));
    for (const c of connections) c.disconnect();
  });

  it('a block made on one instance reaches the other', async () => {
    one.block('203.0.113.9', NOW + 60_000, NOW);
    expect(await eventually(() => two.blockedUntil('203.0.113.9', NOW) === NOW + 60_000)).toBe(true);
  });

  it('ignores malformed messages on its channel', async () => {
    const publisher = connections[0]!;
    for (const text of ['not json', '{"ip":5,"until":1}', '{"ip":"203.0.113.10"}', 'null']) {
      await publisher.publish(channel, text);
    }
    one.block('203.0.113.11', NOW + 60_000, NOW); // sent after the bad ones: once it arrives, they have too
    expect(await eventually(() => two.blockedUntil('203.0.113.11', NOW) !== undefined)).toBe(true);
    expect(two.blockedUntil('203.0.113.10', NOW)).toBeUndefined();
  });
});
