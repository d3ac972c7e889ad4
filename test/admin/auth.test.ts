/**
 * The admin API takes admin operator tokens only: nothing, a wrong token or a revoked one is 401, a
 * verify token is 403, an API key is 401; failures count against the address's budget (then 429).
 * Every route of the OpenAPI document under /admin/v1 is guarded and documented as such.
 */
import { expect, it } from 'vitest';
import { revokeOperatorToken } from '../../src/operators/tokens.ts';
import { describeDialects, expectData, expectError, useApp } from '../http/harness.ts';
import { ADMIN_ROUTES, ADMIN_TOKEN, adminCall, freshIp, operatorToken } from './support.ts';

describeDialects('admin API authentication', (create) => {
  const t = useApp(create, { config: { adminToken: ADMIN_TOKEN } });

  it('every documented /admin/v1 operation is in the matrix, tagged admin, with operatorToken security', async () => {
    const doc = (await t().app.inject({ url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { tags?: string[]; security?: unknown }>>;
    };
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/admin/'))
      .flatMap(([path, item]) =>
        Object.entries(item).map(([method, op]) => {
          expect(op.tags).toEqual(['admin']);
          expect(op.security).toEqual([{ operatorToken: [] }]);
          return `${method.toUpperCase()} ${path.replace(/\{(id|user_id)\}/g, 'ID')}`;
        }),
      );
    const matrix = ADMIN_ROUTES.map((r) => `${r.method} ${r.url.replace(/(ws|key|usr)_x/g, 'ID')}`);
    expect([...documented].sort()).toEqual([...matrix].sort());
  });

  it.each(ADMIN_ROUTES)('$method $url: no token 401, wrong token 401, verify token 403', async (route) => {
    const ip = freshIp();
    const verify = await operatorToken(t(), 'backend', 'verify');
    const ws = await t().workspace();
    const key = await t().key(ws);
    const call = (token: string | null) =>
      adminCall(t(), route.method, route.url, { body: route.body, token, ip });
    const missing = expectError(await call(null), 401, 'ERR_UNAUTHENTICATED');
    expect(missing.message).toMatch(/admin operator token/);
    expectError(await call('kwo_wrongwrongwrongwrongwrongwrong00000000'), 401, 'ERR_UNAUTHENTICATED');
    expectError(await call('not-even-a-token'), 401, 'ERR_UNAUTHENTICATED');
    expectError(await call(key.secret), 401, 'ERR_UNAUTHENTICATED');
    const refused = expectError(await call(verify.secret), 403, 'ERR_FORBIDDEN');
    expect(refused.message).toMatch(/verify access only/);
  });

  it('a minted admin token works until it is revoked; the audit log names it', async () => {
    const ip = freshIp();
    const token = await operatorToken(t(), 'billing-sync', 'admin');
    const created = expectData<{ id: string }>(
      await adminCall(t(), 'POST', '/admin/v1/workspaces', {
        body: { name: 'Minted' },
        token: token.secret,
        ip,
      }),
      201,
    );
    const entries = await t().deps.storage.audit.list(created.id, {}, { limit: 10 });
    expect(entries.items.map((e) => [e.action, e.actor_type, e.actor_id, e.actor_label])).toEqual([
      ['workspace.created', 'operator', token.id, 'billing-sync'],
    ]);
    await revokeOperatorToken(t().deps.storage, token.id, t().clock.now());
    // The authenticator trusts a looked-up token for a second (so a revoke reaches every instance).
    await new Promise((r) => setTimeout(r, 1_100));
    expectError(
      await adminCall(t(), 'GET', '/admin/v1/workspaces', { token: token.secret, ip }),
      401,
      'ERR_UNAUTHENTICATED',
    );
  });

  it('150 wrong operator tokens in a row from one address: past the failure budget they are 429 ERR_RATE_LIMITED', async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 150; i++) {
      const res = await adminCall(t(), 'GET', '/admin/v1/workspaces', {
        token: `kwo_guess${String(i).padStart(37, '0')}`,
        ip,
      });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) {
        expect(expectError(res, 429, 'ERR_RATE_LIMITED').details).toEqual({ limit: 'ip' });
      }
    }
    // The default budget: 100 failures a minute.
    expect(statuses.slice(0, 100).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(100).every((s) => s === 429)).toBe(true);
    // The right token still works from the blocked address (a shared NAT must not lock the operator out).
    expectData(await adminCall(t(), 'GET', '/admin/v1/workspaces', { ip }));
    // Another address is not affected.
    expectError(
      await adminCall(t(), 'GET', '/admin/v1/workspaces', { token: 'kwo_guess', ip: freshIp() }),
      401,
      'ERR_UNAUTHENTICATED',
    );
  });
});
