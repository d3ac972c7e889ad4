/**
 * The usage recorder: the request log's ring, the log written on its own (slower) cadence, and
 * pruning on its own timer, never inside a flush, one at a time, retried on failure.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteDatabase, type TestDatabase } from '../../test/support/storages.ts';
import { ManualClock } from '../core/clock.ts';
import { outboxUsageEvents } from '../webhooks/emit.ts';
import { RecentRequests, type UsageEvent } from './recent-requests.ts';
import { UsageRecorder } from './recorder.ts';

const NOW = Date.parse('2026-03-01T10:00:00Z');
const use = (credentialId: string, i = 0): UsageEvent => ({
  credentialId,
  workspaceId: 'ws_1',
  ip: '203.0.113.1',
  at: NOW + i,
  method: 'GET',
  route: '/v1/ping',
  status: 200,
  latencyMs: 1,
});

describe('usage recorder pruning', () => {
  let db: TestDatabase;
  let pruned: string[][];
  let recorder: UsageRecorder | undefined;
  beforeEach(async () => {
    db = await createSqliteDatabase();
    pruned = [];
    const prune = db.storage.usage.pruneRequests.bind(db.storage.usage);
    db.storage.usage.pruneRequests = (ids) => {
      pruned.push([...ids]);
      return prune(ids);
    };
  });
  afterEach(async () => {
    await recorder?.stop();
    recorder = undefined;
    await db.drop();
  });

  const until = async (done: () => boolean) => {
    for (let waited = 0; !done(); waited += 5) {
      if (waited > 2_000) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  it('a flush writes without pruning; the prune timer prunes what was written since the last prune', async () => {
    recorder = new UsageRecorder(db.storage, outboxUsageEvents, {
      intervalMs: 3_600_000,
      pruneIntervalMs: 30,
    });
    recorder.start();
    recorder.record(use('key_a'));
    recorder.record(use('key_b'));
    await recorder.flush();
    expect(pruned).toEqual([]);
    recorder.record(use('key_a'));
    recorder.record(use('key_c'));
    await recorder.flush();
    await until(() => pruned.length === 1);
    expect(pruned[0]!.sort()).toEqual(['key_a', 'key_b', 'key_c']);
    // Nothing written since: the next ticks have nothing to prune.
    await new Promise((r) => setTimeout(r, 100));
    expect(pruned).toHaveLength(1);
    expect(await db.storage.usage.recentRequests('key_a', { limit: 10 })).toHaveLength(2);
  });

  it('one prune at a time; a failed one keeps its credentials for the next', async () => {
    recorder = new UsageRecorder(db.storage, outboxUsageEvents);
    const usage = db.storage.usage;
    const prune = usage.pruneRequests;
    let release: () => void = () => {};
    let fail = true;
    usage.pruneRequests = async (ids) => {
      pruned.push([...ids]);
      await new Promise<void>((r) => {
        release = r;
      });
      if (fail) throw new Error('database went away');
    };
    recorder.record(use('key_a'));
    await recorder.flush();
    const first = recorder.prune();
    recorder.record(use('key_b'));
    await recorder.flush();
    const second = recorder.prune(); // waits for the first
    await new Promise((r) => setImmediate(r));
    expect(pruned).toEqual([['key_a']]);
    release();
    await expect(first).rejects.toThrow('database went away');
    // The second runs after the first, with key_b and the failed key_a.
    await until(() => pruned.length === 2);
    expect(pruned[1]!.sort()).toEqual(['key_a', 'key_b']);
    fail = false;
    release();
    await second;
    usage.pruneRequests = prune;
    await recorder.prune();
    expect(pruned).toHaveLength(2); // nothing left to prune
  });
});

describe('recent requests ring', () => {
  const at = (ring: RecentRequests) => ring.rows().map((r) => r.created_at - NOW);

  it('keeps the newest rows, oldest first, reusing its rows once full', () => {
    const ring = new RecentRequests(3);
    for (let i = 0; i < 2; i++) ring.add(use('key_a', i));
    expect(at(ring)).toEqual([0, 1]);
    for (let i = 2; i < 7; i++) ring.add({ ...use('key_a', i), status: 500 + i });
    expect(at(ring)).toEqual([4, 5, 6]);
    expect(ring.rows().map((r) => r.status)).toEqual([504, 505, 506]);
    expect(ring.length).toBe(3);
  });

  it('absorbs an older ring in place: older rows first, the newest kept', () => {
    const older = new RecentRequests(3);
    for (let i = 0; i < 3; i++) older.add(use('key_a', i));
    const newer = new RecentRequests(3);
    newer.add(use('key_a', 10));
    newer.absorbOlder(older);
    expect(at(newer)).toEqual([1, 2, 10]);
    newer.add(use('key_a', 11));
    expect(at(newer)).toEqual([2, 10, 11]);
  });
});

describe('usage recorder cadence', () => {
  let db: TestDatabase;
  let recorder: UsageRecorder | undefined;
  beforeEach(async () => {
    db = await createSqliteDatabase();
  });
  afterEach(async () => {
    await recorder?.stop();
    recorder = undefined;
    await db.drop();
  });

  it('the timer writes counters every tick and the request log only every logIntervalMs', async () => {
    recorder = new UsageRecorder(db.storage, outboxUsageEvents, { intervalMs: 10, logIntervalMs: 3_600_000 });
    recorder.start();
    recorder.record(use('key_a'));
    const flushes = recorder.flushes;
    for (let waited = 0; recorder.flushes === flushes; waited += 5) {
      if (waited > 2_000) throw new Error('no flush');
      await new Promise((r) => setTimeout(r, 5));
    }
    const hours = await db.storage.usage.hourly({ workspaceId: 'ws_1' }, NOW - 3_600_000, NOW + 3_600_000);
    expect(hours.map((h) => h.requests)).toEqual([1]);
    expect(await db.storage.usage.recentRequests('key_a', { limit: 10 })).toHaveLength(0);
    // An explicit flush (and stop) writes the log too, in order.
    recorder.record(use('key_a', 1));
    await recorder.flush();
    const logged = await db.storage.usage.recentRequests('key_a', { limit: 10 });
    expect(logged.map((r) => r.created_at - NOW).sort()).toEqual([0, 1]);
  });

  it("the request log falls due by the injected clock's time", async () => {
    const clock = new ManualClock(NOW);
    recorder = new UsageRecorder(db.storage, outboxUsageEvents, {
      intervalMs: 10,
      logIntervalMs: 60_000,
      clock,
    });
    recorder.start();
    const ticks = async (n: number) => {
      const target = recorder!.flushes + n;
      for (let waited = 0; recorder!.flushes < target; waited += 5) {
        if (waited > 2_000) throw new Error('no flush');
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    recorder.record(use('key_a'));
    await ticks(1);
    expect(await db.storage.usage.recentRequests('key_a', { limit: 10 })).toHaveLength(0);
    clock.advance(60_000);
    recorder.record(use('key_a', 1));
    await ticks(1);
    expect(await db.storage.usage.recentRequests('key_a', { limit: 10 })).toHaveLength(2);
  });

  it('a failed write keeps its request log for the next flush, before what came after', async () => {
    recorder = new UsageRecorder(db.storage, outboxUsageEvents);
    const transaction = db.storage.transaction.bind(db.storage);
    let fail = true;
    db.storage.transaction = ((run) =>
      fail ? Promise.reject(new Error('database went away')) : transaction(run)) as typeof transaction;
    recorder.record(use('key_a', 0));
    await recorder.flush();
    recorder.record(use('key_a', 1));
    fail = false;
    await recorder.flush();
    const logged = await db.storage.usage.recentRequests('key_a', { limit: 10 });
    expect(logged.map((r) => r.created_at - NOW)).toEqual([1, 0]); // newest first: order kept
  });
});
