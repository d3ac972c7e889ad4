/**
 * Portal sessions and members through the admin API: a one-time link signs a person in to one
 * workspace with no password (creating the membership), works once and for 5 minutes, lands where
 * `return_url` says, and the same email gets a second workspace; members are listed, added, changed
 * and removed by the operator.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PORTAL_LINK_TTL_MS } from '../../src/portal/links.ts';
import { ADMIN_TOKEN, adminCall, operatorToken } from '../admin/support.ts';
import { describeDialects, expectError } from '../http/harness.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestDatabase } from '../support/storages.ts';

const PUBLIC_URL = 'https://keyward.example.test';
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

const data = <T = Record<string, unknown>>(r: LightMyRequestResponse, status = 200): T => {
  if (r.statusCode !== status) throw new Error(`expected ${status}, got ${r.statusCode} ${r.body}`);
  return (r.json() as { data: T }).data;
};

interface SessionBody {
  user: { id: string; email: string; name: string | null; role: string; workspace_id: string };
  workspace: { id: string };
  memberships: { workspace_id: string; role: string }[];
  return_url: string | null;
}

describeDialects('portal sessions and members (admin API)', (create) => {
  let db: TestDatabase;
  let t: TestApp;
  let acme: string;
  let beta: string;

  beforeAll(async () => {
    db = await create();
    t = await startTestApp({ db, config: { adminToken: ADMIN_TOKEN, publicUrl: PUBLIC_URL } });
    acme = data<{ id: string }>(
      await adminCall(t, 'POST', '/admin/v1/workspaces', { body: { name: 'Acme', external_id: 'cus_acme' } }),
      201,
    ).id;
    beta = data<{ id: string }>(
      await adminCall(t, 'POST', '/admin/v1/workspaces', { body: { name: 'Beta' } }),
      201,
    ).id;
  });
  afterAll(async () => {
    await t?.app.close();
    await db?.drop();
  });

  const link = (ws: string, body: Record<string, unknown>) =>
    adminCall(t, 'POST', `/admin/v1/workspaces/${ws}/portal-sessions`, { body });
  const pathOf = (url: string) => new URL(url).pathname;
  const open = (url: string, headers: Record<string, string> = BROWSER) =>
    t.app.inject({ method: 'GET', url: pathOf(url), headers });
  const cookieOf = (r: LightMyRequestResponse) => String(r.headers['set-cookie']).split(';')[0]!;
  const session = async (cookie: string) =>
    data<SessionBody>(await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } }));

  it('a link signs the person in once, creating them as a member with no password', async () => {
    const now = t.clock.now();
    const made = data<{ url: string; expires_at: string }>(
      await link(acme, { email: 'Dana@Acme.test', name: 'Dana' }),
      201,
    );
    expect(made.url).toMatch(/^https:\/\/keyward\.example\.test\/portal\/kwp_[0-9A-Za-z]{38}$/);
    expect(Date.parse(made.expires_at)).toBe(now + PORTAL_LINK_TTL_MS);
    // Only the hash is stored.
    const rows = await db.storage.db.selectFrom('portal_links').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(pathOf(made.url).slice('/portal/'.length));

    const opened = await open(made.url);
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toBe('/settings/api-keys');
    expect(opened.headers['cache-control']).toBe('no-store');
    const me = await session(cookieOf(opened));
    expect(me.user).toMatchObject({
      email: 'dana@acme.test',
      name: 'Dana',
      role: 'admin',
      workspace_id: acme,
    });
    expect(me.memberships).toEqual([{ workspace_id: acme, workspace_name: 'Acme', role: 'admin' }]);
    expect(me.return_url).toBeNull();
    expect(await db.storage.users.byEmail('dana@acme.test')).toMatchObject({ password_hash: null });

    // The second use: a page for a browser, the envelope for a script; no cookie either way.
    const again = await open(made.url);
    expect(again.statusCode).toBe(410);
    expect(again.headers['content-type']).toMatch(/^text\/html/);
    expect(again.body).toMatch(/expired/i);
    expect(again.body).toMatch(/Go back to Keyward/);
    expect(again.headers['set-cookie']).toBeUndefined();
    expectError(await open(made.url, {}), 410, 'ERR_LINK_EXPIRED');
    expectError(await open(`${PUBLIC_URL}/portal/kwp_nothing`, {}), 410, 'ERR_LINK_EXPIRED');
  });

  it('a link ends after 5 minutes (by the clock), and is audited as the operator', async () => {
    const made = data<{ url: string }>(await link(acme, { email: 'late@acme.test' }), 201);
    t.clock.advance(PORTAL_LINK_TTL_MS);
    expect((await open(made.url)).statusCode).toBe(410);
    expect(await db.storage.users.byEmail('late@acme.test')).toBeUndefined();

    const fresh = data<{ url: string }>(await link(acme, { email: 'late@acme.test' }), 201);
    t.clock.advance(PORTAL_LINK_TTL_MS - 1);
    expect((await open(fresh.url)).statusCode).toBe(303);
    const audit = await db.storage.db
      .selectFrom('audit_log')
      .select(['action', 'actor_type', 'actor_label'])
      .where('workspace_id', '=', acme)
      .execute();
    expect(audit).toContainEqual({
      action: 'portal_session.created',
      actor_type: 'operator',
      actor_label: 'admin-token',
    });
  });

  it('the same email gets a second workspace; a member keeps their role', async () => {
    const first = await open(
      data<{ url: string }>(await link(acme, { email: 'sam@acme.test', role: 'member' }), 201).url,
    );
    const inAcme = await session(cookieOf(first));
    expect(inAcme.user.role).toBe('member');
    t.clock.advance(1_000); // memberships are listed in the order they were made

    const second = await open(
      data<{ url: string }>(await link(beta, { email: 'sam@acme.test', role: 'owner' }), 201).url,
    );
    const inBeta = await session(cookieOf(second));
    expect(inBeta.user).toMatchObject({ id: inAcme.user.id, role: 'owner', workspace_id: beta });
    expect(inBeta.memberships.map((m) => [m.workspace_id, m.role])).toEqual([
      [acme, 'member'],
      [beta, 'owner'],
    ]);
    // A link asking for another role does not change a member's.
    const third = await open(
      data<{ url: string }>(await link(acme, { email: 'sam@acme.test', role: 'owner' }), 201).url,
    );
    expect((await session(cookieOf(third))).user.role).toBe('member');
  });

  it('return_url: a dashboard path to land on, or the operator page to go back to', async () => {
    const toUsage = await open(
      data<{ url: string }>(await link(acme, { email: 'r@acme.test', return_url: '/settings/usage' }), 201)
        .url,
    );
    expect(toUsage.headers.location).toBe('/settings/usage');
    expect((await session(cookieOf(toUsage))).return_url).toBeNull();

    const back = 'https://app.acme.test/settings/developers?tab=api';
    const home = await open(
      data<{ url: string }>(await link(acme, { email: 'r@acme.test', return_url: back }), 201).url,
    );
    expect(home.headers.location).toBe('/settings/api-keys');
    expect((await session(cookieOf(home))).return_url).toBe(back);

    for (const bad of [
      'javascript:alert(1)',
      '//evil.test/settings',
      '/api/keys',
      'https://u:p@acme.test/',
      'not a url',
    ])
      expectError(await link(acme, { email: 'r@acme.test', return_url: bad }), 422, 'ERR_VALIDATION');
  });

  it('portal sessions: 404 for an unknown workspace, 403 for a verify token, 422 for a bad email', async () => {
    expectError(await link('ws_unknown', { email: 'x@acme.test' }), 404, 'ERR_NOT_FOUND');
    expectError(await link(acme, { email: 'not an email' }), 422, 'ERR_VALIDATION');
    expectError(await link(acme, { email: 'x@acme.test', role: 'superuser' }), 422, 'ERR_VALIDATION');
    const verify = await operatorToken(t, 'backend', 'verify');
    expectError(
      await adminCall(t, 'POST', `/admin/v1/workspaces/${acme}/portal-sessions`, {
        body: { email: 'x@acme.test' },
        token: verify.secret,
      }),
      403,
      'ERR_FORBIDDEN',
    );
  });

  it('members: list, add, change, remove; removal ends the sessions in that workspace', async () => {
    const ws = data<{ id: string }>(
      await adminCall(t, 'POST', '/admin/v1/workspaces', { body: { name: 'Gamma' } }),
      201,
    ).id;
    const members = `/admin/v1/workspaces/${ws}/members`;
    expect(data<unknown[]>(await adminCall(t, 'GET', members))).toEqual([]);

    const added = data<Record<string, unknown>>(
      await adminCall(t, 'POST', members, { body: { email: 'Lee@Gamma.test', name: 'Lee', role: 'owner' } }),
      201,
    );
    expect(Object.keys(added).sort()).toEqual(['created_at', 'email', 'name', 'role', 'user_id']);
    expect(added).toMatchObject({ email: 'lee@gamma.test', name: 'Lee', role: 'owner' });
    expectError(
      await adminCall(t, 'POST', members, { body: { email: 'lee@gamma.test', role: 'member' } }),
      409,
      'ERR_CONFLICT',
    );
    expectError(
      await adminCall(t, 'POST', '/admin/v1/workspaces/ws_nope/members', {
        body: { email: 'a@b.test', role: 'member' },
      }),
      404,
      'ERR_NOT_FOUND',
    );
    expect(data<{ user_id: string }[]>(await adminCall(t, 'GET', members)).map((m) => m.user_id)).toEqual([
      added.user_id,
    ]);

    // The operator may demote the only owner (it provisions workspaces, which may have none).
    const changed = data(
      await adminCall(t, 'PATCH', `${members}/${added.user_id}`, { body: { role: 'member' } }),
    );
    expect(changed).toMatchObject({ user_id: added.user_id, role: 'member' });
    expectError(
      await adminCall(t, 'PATCH', `${members}/user_nope`, { body: { role: 'admin' } }),
      404,
      'ERR_NOT_FOUND',
    );
    expectError(
      await adminCall(t, 'PATCH', `/admin/v1/workspaces/${acme}/members/${added.user_id}`, {
        body: { role: 'admin' },
      }),
      404,
      'ERR_NOT_FOUND',
    );

    const signedIn = await open(data<{ url: string }>(await link(ws, { email: 'lee@gamma.test' }), 201).url);
    const cookie = cookieOf(signedIn);
    expect((await session(cookie)).user.role).toBe('member');
    expect(data(await adminCall(t, 'DELETE', `${members}/${added.user_id}`))).toEqual({
      id: added.user_id,
      deleted: true,
    });
    expectError(
      await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } }),
      401,
      'ERR_UNAUTHENTICATED',
    );
    expectError(await adminCall(t, 'DELETE', `${members}/${added.user_id}`), 404, 'ERR_NOT_FOUND');

    const audit = await db.storage.db
      .selectFrom('audit_log')
      .select(['action', 'actor_type'])
      .where('workspace_id', '=', ws)
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(
      [
        'portal_session.created',
        'user.created',
        'user.removed',
        'user.role_changed',
        'workspace.created',
      ].sort(),
    );
    expect(new Set(audit.map((a) => a.actor_type))).toEqual(new Set(['operator']));
  });
});
