/**
 * Usage tracking: batched recording (no database write per request), the recent-request log, hourly
 * and daily series, the workspace view with its pool, and usage alerts.
 */
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { Storage } from '../../src/storage/index.ts';
import { type CreateDatabase, describeDialects, expectData, expectError, useApp } from '../http/harness.ts';
import type { TestApp } from '../support/app.ts';
import { type Session, setupOwner, signIn, userWithRole } from '../support/session.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const OWNER = 'owner@acme.test';

interface Point {
  t: string;
  requests: number;
  errors_4xx: number;
  errors_5xx: number;
  rate_limited: number;
}
interface Series {
  points: Point[];
  totals: Omit<Point, 't'>;
  budget: { limit: number; remaining: number; used: number; window: string } | null;
}
interface LoggedRequest {
  method: string;
  route: string;
  status: number;
  latency_ms: number;
  ip: string | null;
  created_at: string;
}
interface Alert {
  type: string;
  data: Record<string, unknown>;
}

/** Counts every statement but a SELECT that the app's storage sends to the database. */
class WriteCounter implements KyselyPlugin {
  writes = 0;
  transformQuery(args: PluginTransformQueryArgs) {
    if (args.node.kind !== 'SelectQueryNode') this.writes++;
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs) {
    return args.result;
  }
}

/** The same database, its storage seen through the counter. */
const counted =
  (create: CreateDatabase, counter: WriteCounter): CreateDatabase =>
  async () => {
    const db = await create();
    return { ...db, storage: new Storage(db.storage.db.withPlugin(counter), db.storage.dialect) };
  };

const iso = (ms: number) => new Date(ms).toISOString();
const query = (params: Record<string, string | number>) =>
  new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();

/** Sends `n` requests, `shape(i)` choosing each, and tallies the statuses. */
async function burst(
  t: TestApp,
  secret: string,
  n: number,
  shape: (i: number) => 'ok' | 'forbidden' | 'missing',
) {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const kind = shape(i);
    const res =
      kind === 'ok'
        ? await t.call(secret, 'GET', '/v1/boards')
        : kind === 'forbidden'
          ? await t.call(secret, 'POST', '/v1/boards', { name: `b${i}` })
          : await t.call(secret, 'GET', '/v1/boards/brd_missing');
    statuses.push(res.statusCode);
  }
  return statuses;
}
const tally = (statuses: number[]) => ({
  ok: statuses.filter((s) => s < 400).length,
  c4xx: statuses.filter((s) => s >= 400 && s < 500).length,
  c429: statuses.filter((s) => s === 429).length,
});

describeDialects('usage tracking', (create) => {
  const counter = new WriteCounter();
  const t = useApp(counted(create, counter));
  let owner: Session;
  beforeAll(async () => {
    owner = await setupOwner(t(), OWNER);
    // No background flush: each test decides when a batch is written.
    await t().deps.usage.stop();
  });
  const usageOf = async (id: string, params: Record<string, string | number> = {}) =>
    expectData<Series>(await owner.call('GET', `/api/credentials/${id}/usage?${query(params)}`));
  const logOf = (id: string, params: Record<string, string | number> = {}) =>
    owner.call('GET', `/api/credentials/${id}/requests?${query(params)}`);

  it('a burst of 200 requests writes nothing until one flush writes it all', async () => {
    const key = expectData<{ id: string; secret: string }>(
      await owner.call('POST', '/api/keys', { name: 'burst', scope: 'read', rate_limit: '150/h' }),
      201,
    );
    const flushes = t().deps.usage.flushes;
    const writes = counter.writes;
    const statuses = await burst(t(), key.secret, 200, (i) => (i % 10 === 0 ? 'forbidden' : 'ok'));
    // The budget is charged before the scope is checked: of the first 150, 15 are refused by scope;
    // the last 50 (5 of them also out of scope) are over the budget.
    expect(tally(statuses)).toEqual({ ok: 135, c4xx: 65, c429: 50 });

    expect(counter.writes).toBe(writes);
    expect(t().deps.usage.flushes).toBe(flushes);
    expect((await usageOf(key.id)).totals.requests).toBe(0);
    expect(expectData<unknown[]>(await logOf(key.id))).toEqual([]);
    const before = expectData<{ last_used_at: string | null }>(
      await owner.call('GET', `/api/keys/${key.id}`),
    );
    expect(before.last_used_at).toBeNull();

    await t().deps.usage.flush();
    expect(t().deps.usage.flushes).toBe(flushes + 1);
    expect(counter.writes).toBeGreaterThan(writes);
    const usage = await usageOf(key.id);
    expect(usage.totals).toEqual({ requests: 200, errors_4xx: 65, errors_5xx: 0, rate_limited: 50 });
    expect(usage.budget).toMatchObject({ limit: 150, remaining: 0, used: 150, window: '1h' });
    const after = expectData<{ last_used_at: string; last_used_ip: string }>(
      await owner.call('GET', `/api/keys/${key.id}`),
    );
    expect(after).toMatchObject({ last_used_at: iso(t().clock.now()), last_used_ip: '127.0.0.1' });
  });

  describe('request log', () => {
    const statuses = [200, 403, 404, 200, 403, 200];
    let id = '';
    beforeAll(async () => {
      const key = await t().key(owner.workspaceId, 'read');
      id = key.id;
      for (const s of statuses) {
        t().clock.advance(1000);
        await burst(t(), key.secret, 1, () => (s === 200 ? 'ok' : s === 403 ? 'forbidden' : 'missing'));
      }
      await t().deps.usage.flush();
    });

    it('lists the newest first with method, route, status, latency, ip and time', async () => {
      const rows = expectData<LoggedRequest[]>(await logOf(id));
      expect(rows.map((r) => r.status)).toEqual([...statuses].reverse());
      const times = rows.map((r) => Date.parse(r.created_at));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(rows[0]).toMatchObject({ method: 'GET', route: '/v1/boards', ip: '127.0.0.1' });
      expect(rows[1]).toMatchObject({ method: 'POST', route: '/v1/boards', status: 403 });
      expect(rows[3]).toMatchObject({ method: 'GET', route: '/v1/boards/:id', status: 404 });
      for (const r of rows) expect(r.latency_ms).toBeGreaterThanOrEqual(0);
    });

    it('filters by status: error, success or one code', async () => {
      const of = async (status: string) =>
        expectData<LoggedRequest[]>(await logOf(id, { status })).map((r) => r.status);
      expect(await of('error')).toEqual([403, 404, 403]);
      expect(await of('success')).toEqual([200, 200, 200]);
      expect(await of('404')).toEqual([404]);
      expectError(await logOf(id, { status: 'teapot' }), 422, 'ERR_VALIDATION');
    });

    it('pages with a cursor until next_cursor is null; a made-up cursor is a bad request', async () => {
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await logOf(id, { limit: 4, ...(cursor ? { cursor } : {}) });
        const body = res.json() as { data: LoggedRequest[]; next_cursor: string | null };
        seen.push(...body.data.map((r) => r.status));
        cursor = body.next_cursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(2);
      expect(seen).toEqual([...statuses].reverse());
      expectError(await logOf(id, { cursor: 'abc' }), 400, 'ERR_BAD_REQUEST');
    });

    it('pruning keeps only the newest 1000 requests per credential', async () => {
      const key = await t().key(owner.workspaceId, 'read');
      const record = (i: number) =>
        t().deps.usage.record({
          credentialId: key.id,
          workspaceId: owner.workspaceId,
          ip: '10.0.0.1',
          at: t().clock.now() + i,
          method: 'GET',
          route: `/r/${i}`,
          status: 200,
          latencyMs: 1,
        });
      for (let i = 0; i < 600; i++) record(i);
      await t().deps.usage.flush();
      for (let i = 600; i < 1100; i++) record(i);
      await t().deps.usage.flush();
      await t().deps.usage.prune();

      const kept = await t().deps.storage.usage.recentRequests(key.id, { limit: 5000 });
      expect(kept).toHaveLength(1000);
      expect(kept[0]?.route).toBe('/r/1099');
      expect(kept[999]?.route).toBe('/r/100');
      expect(expectData<LoggedRequest[]>(await logOf(key.id, { limit: 1 }))[0]?.route).toBe('/r/1099');
    });
  });

  it('a failed prune loses nothing and never writes a batch twice', async () => {
    const key = await t().key(owner.workspaceId, 'read');
    const recorder = t().deps.usage;
    const repo = t().deps.storage.usage;
    const prune = repo.pruneRequests;
    await burst(t(), key.secret, 3, () => 'ok');
    await recorder.flush();
    repo.pruneRequests = () => Promise.reject(new Error('database went away'));
    try {
      await expect(recorder.prune()).rejects.toThrow('database went away');
    } finally {
      repo.pruneRequests = prune;
    }
    await recorder.flush();
    await recorder.prune();
    expect((await usageOf(key.id)).totals.requests).toBe(3);
    expect(expectData<unknown[]>(await logOf(key.id))).toHaveLength(3);
  });

  it('a batch that fails to write is kept, with what was recorded meanwhile, for the next flush', async () => {
    const key = await t().key(owner.workspaceId, 'read');
    const storage = t().deps.storage;
    const transaction = storage.transaction;
    await burst(t(), key.secret, 3, () => 'ok');
    // The database fails while two more requests arrive.
    storage.transaction = async () => {
      await burst(t(), key.secret, 2, () => 'forbidden');
      throw new Error('database went away');
    };
    try {
      await t().deps.usage.flush();
    } finally {
      storage.transaction = transaction;
    }
    await t().deps.usage.flush();
    expect((await usageOf(key.id)).totals).toMatchObject({ requests: 5, errors_4xx: 2 });
    const logged = expectData<LoggedRequest[]>(await logOf(key.id));
    expect(logged.map((r) => r.status)).toEqual([403, 403, 200, 200, 200]);
  });

  it('series by hour and by day, zero-filled; from must be before to', async () => {
    const key = await t().key(owner.workspaceId, 'read');
    const day0 = Math.ceil((t().clock.now() + 1) / DAY) * DAY;
    t().clock.set(day0 + 30 * 60_000);
    await burst(t(), key.secret, 2, () => 'ok');
    t().clock.set(day0 + 2 * HOUR + 5 * 60_000);
    await burst(t(), key.secret, 1, () => 'forbidden');
    t().clock.set(day0 + DAY + HOUR);
    await burst(t(), key.secret, 1, () => 'ok');
    await t().deps.usage.flush();
    owner = await signIn(t(), OWNER); // the clock moved past the session's idle timeout

    const hourly = await usageOf(key.id, { from: iso(day0), to: iso(day0 + 4 * HOUR), granularity: 'hour' });
    expect(hourly.points.map((p) => p.t)).toEqual([0, 1, 2, 3].map((h) => iso(day0 + h * HOUR)));
    expect(hourly.points.map((p) => p.requests)).toEqual([2, 0, 1, 0]);
    expect(hourly.points.map((p) => p.errors_4xx)).toEqual([0, 0, 1, 0]);
    expect(hourly.totals).toEqual({ requests: 3, errors_4xx: 1, errors_5xx: 0, rate_limited: 0 });

    const daily = await usageOf(key.id, { from: iso(day0), to: iso(day0 + 3 * DAY), granularity: 'day' });
    expect(daily.points).toEqual([
      { t: iso(day0), requests: 3, errors_4xx: 1, errors_5xx: 0, rate_limited: 0 },
      { t: iso(day0 + DAY), requests: 1, errors_4xx: 0, errors_5xx: 0, rate_limited: 0 },
      { t: iso(day0 + 2 * DAY), requests: 0, errors_4xx: 0, errors_5xx: 0, rate_limited: 0 },
    ]);

    for (const to of [day0, day0 - HOUR]) {
      const res = await owner.call(
        'GET',
        `/api/credentials/${key.id}/usage?${query({ from: iso(day0), to: iso(to) })}`,
      );
      expectError(res, 422, 'ERR_VALIDATION');
    }
    expectError(await owner.call('GET', `/api/usage?${query({ from: 'yesterday' })}`), 422, 'ERR_VALIDATION');
  });

  it('the workspace view sums its credentials and reports the plan pool', async () => {
    t().clock.advance(60_000);
    const ws = await t().workspace('professional', 'Other');
    const member = await userWithRole(t(), ws, 'member');
    const a = await t().key(ws, 'read');
    const b = await t().key(ws, 'read');
    await burst(t(), a.secret, 3, () => 'ok');
    await burst(t(), b.secret, 2, (i) => (i === 0 ? 'forbidden' : 'ok'));
    await t().deps.usage.flush();

    const usage = expectData<Series>(await member.call('GET', '/api/usage'));
    expect(usage.totals).toEqual({ requests: 5, errors_4xx: 1, errors_5xx: 0, rate_limited: 0 });
    expect(usage.budget).toMatchObject({ limit: 10_000, used: 5, remaining: 9_995, window: '1h' });
    const one = expectData<Series>(await member.call('GET', `/api/credentials/${a.id}/usage`));
    expect(one.totals.requests).toBe(3);
    expect(one.budget).toMatchObject({ limit: 1000, used: 3 });
    // Another workspace's credential is not found, not forbidden.
    const foreign = await t().key(owner.workspaceId, 'read');
    expectError(await member.call('GET', `/api/credentials/${foreign.id}/usage`), 404, 'ERR_NOT_FOUND');
  });

  describe('alerts', () => {
    async function workspaceWith(settings: Record<string, number>) {
      const ws = await t().workspace();
      const wsOwner = await userWithRole(t(), ws, 'owner');
      expectData(await wsOwner.call('PATCH', '/api/workspace', { settings }));
      // Each test counts within one hour.
      t().clock.set(Math.ceil(t().clock.now() / HOUR) * HOUR + 60_000);
      const alerts = async () => expectData<Alert[]>(await wsOwner.call('GET', '/api/alerts'));
      return { ws, alerts };
    }

    it('a key that used its budget share raises one key_budget alert, not one per request', async () => {
      const { ws, alerts } = await workspaceWith({ alert_budget_percent: 50 });
      const key = await t().key(ws, 'read', { rateLimit: '10/h' });
      await burst(t(), key.secret, 4, () => 'ok');
      await t().deps.usage.flush();
      expect(await alerts()).toEqual([]);

      await burst(t(), key.secret, 1, () => 'ok');
      await t().deps.usage.flush();
      const [alert, ...more] = await alerts();
      expect(more).toEqual([]);
      expect(alert).toMatchObject({
        type: 'usage.alert',
        data: { kind: 'key_budget', credential_id: key.id, threshold_percent: 50, used: 5, limit: 10 },
      });

      await burst(t(), key.secret, 3, () => 'ok');
      await t().deps.usage.flush();
      expect(await alerts()).toHaveLength(1);
    });

    it('an error rate over the threshold, past the minimum of requests, raises one error_rate alert', async () => {
      const { ws, alerts } = await workspaceWith({
        alert_error_rate_percent: 50,
        alert_error_rate_min_requests: 10,
      });
      const key = await t().key(ws, 'read');
      await burst(t(), key.secret, 9, (i) => (i < 2 ? 'ok' : i < 7 ? 'forbidden' : 'missing'));
      await t().deps.usage.flush();
      expect(await alerts()).toEqual([]); // 9 requests: below the minimum

      await burst(t(), key.secret, 1, () => 'missing');
      await t().deps.usage.flush();
      const [alert, ...more] = await alerts();
      expect(more).toEqual([]);
      expect(alert?.data).toMatchObject({
        kind: 'error_rate',
        credential_id: key.id,
        threshold_percent: 50,
        requests: 10,
        errors: 8,
        error_rate_percent: 80,
      });

      await burst(t(), key.secret, 5, () => 'forbidden');
      await t().deps.usage.flush();
      expect(await alerts()).toHaveLength(1);
    });
  });
});
