/**
 * What the operator reads across workspaces: usage per workspace and hour or day (for billing), and
 * every workspace's audit log oldest first, followed with a cursor (for a SIEM).
 */
import { expect, it } from 'vitest';
import { describeDialects, expectData, expectError, send, useApp } from '../http/harness.ts';
import { ADMIN_TOKEN, type AuditEntry, adminCall } from './support.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface UsageRow {
  workspace_id: string;
  t: string;
  requests: number;
  errors_4xx: number;
  errors_5xx: number;
  rate_limited: number;
}

interface Feed {
  data: AuditEntry[];
  next_cursor: string | null;
  has_more: boolean;
}

describeDialects('admin API: usage and the audit log', (create) => {
  const t = useApp(create, { config: { adminToken: ADMIN_TOKEN } });

  it('GET /usage counts requests, 4xx and 429s per workspace and hour or day; workspace_id narrows it', async () => {
    const app = t();
    // A fixed hour of a fixed day, so the buckets are known.
    const start = Date.parse('2030-03-04T10:00:00Z');
    app.clock.set(start + 5 * 60_000);
    const a = await app.workspace();
    const b = await app.workspace();
    const keyA = await app.key(a, 'read', { rateLimit: '3/h' });
    const keyB = await app.key(b, 'read');
    const ping = (secret: string) => send(app, { method: 'GET', url: '/v1/ping', secret });
    for (let i = 0; i < 4; i++) await ping(keyA.secret); // 3 allowed, 1 rate limited
    await send(app, { method: 'GET', url: '/v1/boards/brd_missing', secret: keyB.secret }); // 404
    app.clock.set(start + HOUR + 60_000);
    await ping(keyB.secret);
    await app.deps.usage.flush();

    const range = `from=${new Date(start - HOUR).toISOString()}&to=${new Date(start + 3 * HOUR).toISOString()}`;
    const hourly = expectData<UsageRow[]>(await adminCall(app, 'GET', `/admin/v1/usage?${range}`));
    const mine = hourly.filter((r) => r.workspace_id === a || r.workspace_id === b);
    const at = (ms: number) => new Date(ms).toISOString();
    expect(mine).toEqual(
      [
        { workspace_id: a, t: at(start), requests: 4, errors_4xx: 1, errors_5xx: 0, rate_limited: 1 },
        { workspace_id: b, t: at(start), requests: 1, errors_4xx: 1, errors_5xx: 0, rate_limited: 0 },
        { workspace_id: b, t: at(start + HOUR), requests: 1, errors_4xx: 0, errors_5xx: 0, rate_limited: 0 },
      ].sort((x, y) => (x.workspace_id < y.workspace_id ? -1 : x.workspace_id > y.workspace_id ? 1 : 0)),
    );

    const dayRange = `from=${at(start - DAY)}&to=${at(start + DAY)}&granularity=day&workspace_id=${b}`;
    const daily = expectData<UsageRow[]>(await adminCall(app, 'GET', `/admin/v1/usage?${dayRange}`));
    expect(daily).toEqual([
      {
        workspace_id: b,
        t: '2030-03-04T00:00:00.000Z',
        requests: 2,
        errors_4xx: 1,
        errors_5xx: 0,
        rate_limited: 0,
      },
    ]);
    const none = `/admin/v1/usage?${range}&workspace_id=ws_000000000000000000000`;
    expect(expectData(await adminCall(app, 'GET', none))).toEqual([]);
  });

  it('GET /usage refuses a bad range or granularity with 422, never 500', async () => {
    const now = new Date(t().clock.now()).toISOString();
    for (const query of [
      'granularity=minute',
      'from=yesterday',
      `from=${now}&to=${now}`,
      'from=2020-01-01T00:00:00Z&to=2030-01-01T00:00:00Z',
      `workspace_id=${'x'.repeat(201)}`,
    ]) {
      expectError(await adminCall(t(), 'GET', `/admin/v1/usage?${query}`), 422, 'ERR_VALIDATION');
    }
    // Defaults: the last day by hour.
    expect(Array.isArray(expectData(await adminCall(t(), 'GET', '/admin/v1/usage')))).toBe(true);
  });

  it('GET /audit-log: every workspace, oldest first; next_cursor as ?after= follows it, with what is new', async () => {
    const app = t();
    const feed = async (after?: string | null, limit?: number) => {
      const query = new URLSearchParams();
      if (after) query.set('after', after);
      if (limit) query.set('limit', String(limit));
      const res = await adminCall(app, 'GET', `/admin/v1/audit-log?${query}`);
      expect(res.statusCode).toBe(200);
      return res.json() as Feed;
    };
    // Catch up from the beginning, page by page.
    let cursor: string | null = null;
    const seen: AuditEntry[] = [];
    for (;;) {
      const page: Feed = await feed(cursor, 5);
      seen.push(...page.data);
      cursor = page.next_cursor;
      if (!page.has_more) break;
    }
    const ids = seen.map((e) => e.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);

    // Changes in two workspaces (the operator's own calls among them) appear after the cursor, in order.
    const a = expectData<{ id: string }>(
      await adminCall(app, 'POST', '/admin/v1/workspaces', { body: { name: 'Fed A' } }),
      201,
    ).id;
    const b = expectData<{ id: string }>(
      await adminCall(app, 'POST', '/admin/v1/workspaces', { body: { name: 'Fed B' } }),
      201,
    ).id;
    const key = expectData<{ id: string }>(
      await adminCall(app, 'POST', `/admin/v1/workspaces/${a}/keys`, { body: { name: 'k', scope: 'read' } }),
      201,
    ).id;
    expectData(await adminCall(app, 'POST', `/admin/v1/keys/${key}/revoke`));
    expectData(
      await adminCall(app, 'PATCH', `/admin/v1/workspaces/${b}`, {
        body: { name: 'Fed B2', plan: 'enterprise' },
      }),
    );
    // A deleted workspace keeps its history, and its last entry says who deleted it.
    expectData(await adminCall(app, 'DELETE', `/admin/v1/workspaces/${a}`));

    const fresh = await feed(cursor);
    expect(fresh.has_more).toBe(false);
    expect(fresh.data.map((e) => [e.workspace_id, e.action, `${e.actor.type}:${e.actor.label}`])).toEqual([
      [a, 'workspace.created', 'operator:admin-token'],
      [b, 'workspace.created', 'operator:admin-token'],
      [a, 'api_key.created', 'operator:admin-token'],
      [a, 'api_key.revoked', 'operator:admin-token'],
      [b, 'workspace.updated', 'operator:admin-token'],
      [b, 'workspace.plan_changed', 'operator:admin-token'],
      [a, 'workspace.deleted', 'operator:admin-token'],
    ]);
    expect(fresh.data.at(-1)).toMatchObject({
      target: { type: 'workspace', id: a },
      before: { name: 'Fed A', plan: 'professional', external_id: null },
      after: null,
    });
    expect(fresh.data[0]).toMatchObject({
      target: { type: 'workspace', id: a },
      before: null,
      after: { name: 'Fed A', plan: 'professional', external_id: null },
    });
    // Nothing new: no entries, and the cursor to keep polling with.
    const idle = await feed(fresh.next_cursor);
    expect(idle).toEqual({ data: [], next_cursor: fresh.next_cursor, has_more: false });
  });

  it('GET /audit-log refuses a cursor it did not issue (400) and a bad limit (422)', async () => {
    expectError(await adminCall(t(), 'GET', '/admin/v1/audit-log?after=nonsense'), 400, 'ERR_BAD_REQUEST');
    expectError(
      await adminCall(t(), 'GET', `/admin/v1/audit-log?after=${'x'.repeat(300)}`),
      400,
      'ERR_BAD_REQUEST',
    );
    expectError(await adminCall(t(), 'GET', '/admin/v1/audit-log?limit=0'), 422, 'ERR_VALIDATION');
    expectError(await adminCall(t(), 'GET', '/admin/v1/audit-log?limit=1000'), 422, 'ERR_VALIDATION');
  });
});
