/**
 * Workspaces for the operator: created for a customer under its own external id (unique), found by
 * it, listed with the usual pagination, renamed and re-planned (audited as the operator), deleted
 * with every credential stopping at once. Unknown ids are 404, bad input 422 or 400, never 500.
 */
import { expect, it } from 'vitest';
import { createUser } from '../../src/accounts/users.ts';
import { CLI_ACTOR } from '../../src/audit/record.ts';
import { describeDialects, expectData, expectError, send, useApp } from '../http/harness.ts';
import { ADMIN_TOKEN, type AdminWorkspace, adminCall, operatorToken } from './support.ts';

const MISSING = 'ws_000000000000000000000';

describeDialects('admin API: workspaces', (create) => {
  const t = useApp(create, { config: { adminToken: ADMIN_TOKEN } });
  let serial = 0;
  const externalId = () => `cus_${++serial}_${Math.random().toString(36).slice(2, 8)}`;
  const createWorkspace = async (body: Record<string, unknown>) =>
    expectData<AdminWorkspace>(await adminCall(t(), 'POST', '/admin/v1/workspaces', { body }), 201);

  it('POST creates a workspace: 201 with id, name, plan (professional by default), external_id, created_at', async () => {
    const ext = externalId();
    const ws = await createWorkspace({ name: 'Acme', external_id: ext });
    expect(Object.keys(ws).sort()).toEqual(['created_at', 'external_id', 'id', 'name', 'plan']);
    expect(ws).toMatchObject({ name: 'Acme', plan: 'professional', external_id: ext });
    expect(ws.id).toMatch(/^ws_/);
    expect(new Date(ws.created_at).toISOString()).toBe(ws.created_at);
    const plain = await createWorkspace({ name: 'No external id', plan: 'enterprise' });
    expect(plain).toMatchObject({ plan: 'enterprise', external_id: null });
    // Its keys work at once.
    const { secret } = await t().key(ws.id, 'read');
    expectData(await send(t(), { method: 'GET', url: '/v1/ping', secret }));
  });

  it('a taken external_id is 409 ERR_CONFLICT, on create and on PATCH; nothing is created', async () => {
    const ext = externalId();
    const first = await createWorkspace({ name: 'First', external_id: ext });
    const before = (await t().deps.storage.workspaces.list()).length;
    const conflict = expectError(
      await adminCall(t(), 'POST', '/admin/v1/workspaces', { body: { name: 'Second', external_id: ext } }),
      409,
      'ERR_CONFLICT',
    );
    expect(conflict.details).toEqual({ workspace_id: first.id });
    expect((await t().deps.storage.workspaces.list()).length).toBe(before);
    const other = await createWorkspace({ name: 'Other', external_id: externalId() });
    expectError(
      await adminCall(t(), 'PATCH', `/admin/v1/workspaces/${other.id}`, { body: { external_id: ext } }),
      409,
      'ERR_CONFLICT',
    );
    // Setting a workspace's own external id again is no conflict.
    expectData(
      await adminCall(t(), 'PATCH', `/admin/v1/workspaces/${first.id}`, { body: { external_id: ext } }),
    );
  });

  it('two creates with one external_id at once: one 201, one 409', async () => {
    const ext = externalId();
    const answers = await Promise.all(
      [1, 2].map((n) =>
        adminCall(t(), 'POST', '/admin/v1/workspaces', { body: { name: `Racer ${n}`, external_id: ext } }),
      ),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409]);
  });

  it('GET ?external_id= finds exactly that workspace; an unknown one is an empty list', async () => {
    const ext = externalId();
    const ws = await createWorkspace({ name: 'Findable', external_id: ext });
    await createWorkspace({ name: 'Near miss', external_id: `${ext}x` });
    const found = await adminCall(t(), 'GET', `/admin/v1/workspaces?external_id=${encodeURIComponent(ext)}`);
    expect(found.json()).toEqual({ data: [ws], next_cursor: null });
    const prefix = await adminCall(t(), 'GET', `/admin/v1/workspaces?external_id=${ext.slice(0, -1)}`);
    expect(prefix.json()).toEqual({ data: [], next_cursor: null });
    const wildcard = await adminCall(t(), 'GET', '/admin/v1/workspaces?external_id=cus_%25');
    expect(wildcard.json()).toEqual({ data: [], next_cursor: null });
    const nul = await adminCall(t(), 'GET', '/admin/v1/workspaces?external_id=a%00b');
    expect(nul.json()).toEqual({ data: [], next_cursor: null });
  });

  it('GET lists every workspace newest first, ?limit and ?cursor page through them; a bad cursor is 400', async () => {
    for (let i = 0; i < 3; i++) await createWorkspace({ name: `Page ${i}` });
    const all = await t().deps.storage.workspaces.list();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `limit=2&cursor=${cursor}` : 'limit=2';
      const res = await adminCall(t(), 'GET', `/admin/v1/workspaces?${query}`);
      const page = res.json() as { data: AdminWorkspace[]; next_cursor: string | null };
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((w) => w.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(
      all
        .map((w) => w.id)
        .sort()
        .reverse(),
    );
    expectError(await adminCall(t(), 'GET', '/admin/v1/workspaces?cursor=nonsense'), 400, 'ERR_BAD_REQUEST');
    expectError(await adminCall(t(), 'GET', '/admin/v1/workspaces?limit=0'), 422, 'ERR_VALIDATION');
    expectError(await adminCall(t(), 'GET', '/admin/v1/workspaces?limit=101'), 422, 'ERR_VALIDATION');
  });

  it('GET /workspaces/{id} answers the workspace; unknown ids are 404 ERR_NOT_FOUND on every id route', async () => {
    const ws = await createWorkspace({ name: 'Gettable', external_id: externalId() });
    expect(expectData(await adminCall(t(), 'GET', `/admin/v1/workspaces/${ws.id}`))).toEqual(ws);
    for (const id of [MISSING, 'nonsense', encodeURIComponent("' OR 1=1 --"), 'ws_%00', 'brd_0000']) {
      const routes = [
        adminCall(t(), 'GET', `/admin/v1/workspaces/${id}`),
        adminCall(t(), 'PATCH', `/admin/v1/workspaces/${id}`, { body: { name: 'x' } }),
        adminCall(t(), 'DELETE', `/admin/v1/workspaces/${id}`),
        adminCall(t(), 'GET', `/admin/v1/workspaces/${id}/keys`),
        adminCall(t(), 'POST', `/admin/v1/workspaces/${id}/keys`, { body: { name: 'k', scope: 'read' } }),
        adminCall(t(), 'POST', `/admin/v1/keys/${id}/revoke`),
      ];
      for (const res of await Promise.all(routes)) expectError(res, 404, 'ERR_NOT_FOUND');
    }
  });

  it('bad bodies are 422 ERR_VALIDATION naming the field; malformed JSON is 400', async () => {
    const bad = [
      {},
      { name: '' },
      { name: '   ' },
      { name: 'x'.repeat(201) },
      { name: 42 },
      { name: 'Acme', external_id: '' },
      { name: 'Acme', external_id: 'x'.repeat(201) },
      { name: 'Acme', plan: 'gold' },
      { name: 'Acme', plan: '' },
    ];
    for (const body of bad) {
      expectError(await adminCall(t(), 'POST', '/admin/v1/workspaces', { body }), 422, 'ERR_VALIDATION');
    }
    const ws = await createWorkspace({ name: 'Patchable' });
    for (const body of [
      { name: '' },
      { plan: 'gold' },
      { external_id: '' },
      { name: null },
      '"text"',
      '[]',
    ]) {
      expectError(
        await adminCall(t(), 'PATCH', `/admin/v1/workspaces/${ws.id}`, { body }),
        422,
        'ERR_VALIDATION',
      );
    }
    const unknownPlan = expectError(
      await adminCall(t(), 'PATCH', `/admin/v1/workspaces/${ws.id}`, {
        body: { name: 'Renamed', plan: 'gold' },
      }),
      422,
      'ERR_VALIDATION',
    );
    expect(unknownPlan.message).toMatch(/Unknown plan "gold"; choose one of .*professional/);
    // A refused plan changes nothing, the name included.
    expect(
      expectData<AdminWorkspace>(await adminCall(t(), 'GET', `/admin/v1/workspaces/${ws.id}`)).name,
    ).toBe('Patchable');
    expectError(
      await adminCall(t(), 'POST', '/admin/v1/workspaces', { body: '{"name": ' }),
      400,
      'ERR_BAD_REQUEST',
    );
  });

  it('PATCH renames, re-keys (null clears) and re-plans; each change is audited as operator:<token name>', async () => {
    const token = await operatorToken(t(), 'crm-sync', 'admin');
    const ws = await createWorkspace({ name: 'Before', external_id: externalId() });
    const ext = externalId();
    const patched = expectData<AdminWorkspace>(
      await adminCall(t(), 'PATCH', `/admin/v1/workspaces/${ws.id}`, {
        body: { name: 'After', external_id: ext, plan: 'enterprise' },
        token: token.secret,
      }),
    );
    expect(patched).toEqual({ ...ws, name: 'After', external_id: ext, plan: 'enterprise' });
    const cleared = expectData<AdminWorkspace>(
      await adminCall(t(), 'PATCH', `/admin/v1/workspaces/${ws.id}`, {
        body: { external_id: null },
        token: token.secret,
      }),
    );
    expect(cleared.external_id).toBeNull();
    // Nothing to change: the same workspace, no audit entry.
    expect(expectData(await adminCall(t(), 'PATCH', `/admin/v1/workspaces/${ws.id}`, { body: {} }))).toEqual(
      cleared,
    );
    const audit = await t().deps.storage.audit.list(ws.id, {}, { limit: 10 });
    expect(
      audit.items.reverse().map((e) => [e.action, `${e.actor_type}:${e.actor_label}`, e.before, e.after]),
    ).toEqual([
      ['workspace.created', 'operator:admin-token', null, expect.stringContaining('"name":"Before"')],
      [
        'workspace.updated',
        'operator:crm-sync',
        JSON.stringify({ name: 'Before', external_id: ws.external_id }),
        JSON.stringify({ name: 'After', external_id: ext }),
      ],
      [
        'workspace.plan_changed',
        'operator:crm-sync',
        JSON.stringify({ plan: 'professional' }),
        JSON.stringify({ plan: 'enterprise' }),
      ],
      [
        'workspace.updated',
        'operator:crm-sync',
        JSON.stringify({ external_id: ext }),
        JSON.stringify({ external_id: null }),
      ],
    ]);
  });

  it('a plan change applies to the next request: free refuses the keys, enterprise raises the limit', async () => {
    const ws = await createWorkspace({ name: 'Replanned' });
    const { secret } = await t().key(ws.id, 'read');
    expectData(await send(t(), { method: 'GET', url: '/v1/ping', secret }));
    expectData(await adminCall(t(), 'PATCH', `/admin/v1/workspaces/${ws.id}`, { body: { plan: 'free' } }));
    expectError(await send(t(), { method: 'GET', url: '/v1/ping', secret }), 403, 'ERR_PLAN_REQUIRED');
    expectData(
      await adminCall(t(), 'PATCH', `/admin/v1/workspaces/${ws.id}`, { body: { plan: 'enterprise' } }),
    );
    const res = await send(t(), { method: 'GET', url: '/v1/ping', secret });
    expectData(res);
    expect(res.headers['x-ratelimit-limit']).toBe('10000');
  });

  it('DELETE revokes every credential at once, then the workspace is gone (404 everywhere after)', async () => {
    const ws = await createWorkspace({ name: 'Doomed', external_id: externalId() });
    const keys = [await t().key(ws.id, 'read'), await t().key(ws.id, 'read:write')];
    const bystander = await t().key(await t().workspace(), 'read');
    // Cached on this instance: the delete must reach the cache, not only the database.
    for (const k of [...keys, bystander])
      expectData(await send(t(), { method: 'GET', url: '/v1/ping', secret: k.secret }));
    expect(expectData(await adminCall(t(), 'DELETE', `/admin/v1/workspaces/${ws.id}`))).toEqual({
      id: ws.id,
      deleted: true,
    });
    for (const k of keys) {
      expectError(
        await send(t(), { method: 'GET', url: '/v1/ping', secret: k.secret }),
        401,
        'ERR_UNAUTHENTICATED',
      );
    }
    expectData(await send(t(), { method: 'GET', url: '/v1/ping', secret: bystander.secret }));
    expectError(await adminCall(t(), 'GET', `/admin/v1/workspaces/${ws.id}`), 404, 'ERR_NOT_FOUND');
    expectError(await adminCall(t(), 'DELETE', `/admin/v1/workspaces/${ws.id}`), 404, 'ERR_NOT_FOUND');
    expectError(await adminCall(t(), 'POST', `/admin/v1/keys/${keys[0]!.id}/revoke`), 404, 'ERR_NOT_FOUND');
    const list = await adminCall(t(), 'GET', `/admin/v1/workspaces?external_id=${ws.external_id}`);
    expect(list.json()).toEqual({ data: [], next_cursor: null });
    // Its external id is free again.
    await createWorkspace({ name: 'Reborn', external_id: ws.external_id });
  });

  it('DELETE removes its members: a person in no other workspace is gone, one with another workspace stays', async () => {
    const app = t();
    const ws = await createWorkspace({ name: 'Doomed team' });
    const elsewhere = await app.workspace();
    const member = (workspaceId: string, email: string) =>
      createUser(app.deps.storage, { workspaceId, email, role: 'admin' }, CLI_ACTOR, app.clock.now());
    const only = await member(ws.id, `only-${ws.id}@acme.test`);
    const both = await member(ws.id, `both-${ws.id}@acme.test`);
    await member(elsewhere, both.email);
    expectData(await adminCall(app, 'DELETE', `/admin/v1/workspaces/${ws.id}`));
    expect(await app.deps.storage.users.byEmail(only.email)).toBeUndefined();
    expect(await app.deps.storage.users.membershipsOf(both.id)).toEqual([
      expect.objectContaining({ workspace_id: elsewhere }),
    ]);
  });
});
