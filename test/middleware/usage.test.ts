/**
 * What the middlewares leave behind: usage in the key's counters (read back through the admin
 * API), budget alerts (also through /v1/keys/verify now), and the hot path of a known key in
 * process (answered synchronously: no database read, no write per request).
 */
import type { AddressInfo } from 'node:net';
import { beforeAll, expect, it } from 'vitest';
import { startBackend } from '../../src/middleware/core.ts';
import { describeDialects, expectData, useApp } from '../http/harness.ts';
import { expressTarget, fastifyTarget } from './targets.ts';

const SERVICE_TOKEN = 'svc_middleware_test_token_0123';
const ADMIN_TOKEN = 'adm_middleware_test_token_0123';

interface UsageRow {
  workspace_id: string;
  requests: number;
  errors_4xx: number;
  rate_limited: number;
}

describeDialects('middleware usage and alerts', (create) => {
  const t = useApp(create, { config: { serviceToken: SERVICE_TOKEN, adminToken: ADMIN_TOKEN } });
  let base = '';
  beforeAll(async () => {
    await t().app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t().app.server.address() as AddressInfo).port}`;
  });

  async function usageOf(ws: string): Promise<UsageRow> {
    await t().deps.usage.flush();
    const rows = expectData<UsageRow[]>(
      await t().app.inject({
        url: `/admin/v1/usage?granularity=day&workspace_id=${ws}`,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      }),
    );
    return rows.reduce(
      (sum, r) => ({
        workspace_id: ws,
        requests: sum.requests + r.requests,
        errors_4xx: sum.errors_4xx + r.errors_4xx,
        rate_limited: sum.rate_limited + r.rate_limited,
      }),
      { workspace_id: ws, requests: 0, errors_4xx: 0, rate_limited: 0 },
    );
  }

  it.each([
    ['fastify', fastifyTarget],
    ['express', expressTarget],
  ] as const)(
    '%s: usage recorded by the middleware shows in the key usage, in process and remote',
    async (_, make) => {
      const inProcess = await make('in-process', { databaseUrl: t().deps.config.databaseUrl });
      const remote = await make('remote', { url: base, token: SERVICE_TOKEN });
      for (const target of [inProcess, remote]) {
        const ws = await t().workspace();
        const key = await t().key(ws, 'read');
        const headers = { authorization: `Bearer ${key.secret}` };
        for (let i = 0; i < 3; i++)
          expect((await fetch(`${target.base}/v1/boards`, { headers })).status).toBe(200);
        const refused = await fetch(`${target.base}/v1/boards`, { method: 'POST', headers, body: '{}' });
        expect(refused.status).toBe(403);
        // Closing flushes what the in-process recorder holds; the remote calls were recorded by Keyward.
        await target.close();
        expect({ target: target.name, ...(await usageOf(ws)) }).toEqual({
          target: target.name,
          workspace_id: ws,
          requests: 4,
          errors_4xx: 1,
          rate_limited: 0,
        });
      }
    },
  );

  it('a key past its alert share raises one budget alert through /v1/keys/verify, as on a route', async () => {
    const ws = (
      await t().deps.storage.workspaces.create(
        { name: 'Alerted', plan: 'professional', settings: { alert_budget_percent: 50 } },
        t().clock.now(),
      )
    ).id;
    const key = await t().key(ws, 'read', { rateLimit: '4/h' });
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${base}/v1/keys/verify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SERVICE_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ key: key.secret }),
      });
      expect(res.status).toBe(200);
    }
    await t().deps.usage.flush();
    const alerts = await t().deps.storage.events.list(ws, 'usage.alert', { limit: 10 });
    expect(alerts.items.map((e) => JSON.parse(e.data))).toEqual([
      expect.objectContaining({
        kind: 'key_budget',
        credential_id: key.id,
        threshold_percent: 50,
        used: 2,
        limit: 4,
      }),
    ]);
  });

  it('in process, a known key is verified from the cache (no database read per request)', async () => {
    const backend = await startBackend({ databaseUrl: t().deps.config.databaseUrl });
    try {
      const ws = await t().workspace();
      const key = await t().key(ws, 'read');
      const now = Date.now();
      const first = await backend.deps.verifier.verify(key.secret, now, 'boards:read');
      const second = await backend.deps.verifier.verify(key.secret, now, 'boards:read');
      expect([first.code, second.code]).toEqual(['VALID', 'VALID']);
      // The very entry the first read cached: a database read would have built a new one.
      const [a, b] = [first, second].map((o) => (o.code === 'VALID' ? o.credential : undefined));
      expect(b).toBe(a);
    } finally {
      await backend.close();
    }
  });
});
