/**
 * People in several workspaces: the migration from one workspace per user keeps every user, role
 * and session; one person (email) is a member of several workspaces with a role in each; the session
 * lists them, switches between them, and every management route answers for the current one only.
 */
import { type Kysely, Migrator, sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createUser } from '../../src/accounts/users.ts';
import { hashSecret } from '../../src/core/secrets.ts';
import { migrationsFor } from '../../src/storage/migrate.ts';
import { describeDialects, expectError } from '../http/harness.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { PASSWORD, type Session, setupOwner, signIn } from '../support/session.ts';
import type { TestDatabase } from '../support/storages.ts';

const data = <T = Record<string, unknown>>(r: { statusCode: number; body: string; json(): unknown }) => {
  if (r.statusCode >= 300) throw new Error(`${r.statusCode} ${r.body}`);
  return (r.json() as { data: T }).data;
};

describeDialects('migrations from the previous schema', (create) => {
  let db: TestDatabase;
  afterAll(async () => db?.drop());

  it('keep every user, role, session and audit entry; an audit entry outlives its workspace', async () => {
    db = await create({ migrate: false });
    // biome-ignore lint/suspicious/noExplicitAny: the previous schema has no types of today's
    const kysely = db.storage.db as unknown as Kysely<any>;
    const provider = { getMigrations: async () => migrationsFor(db.storage.dialect) };
    const before = await new Migrator({
      db: kysely,
      provider,
      migrationTableSchema: db.schema,
    }).migrateTo('0005-operators');
    expect(before.error).toBeUndefined();

    const now = 1_767_225_600_000;
    await kysely
      .insertInto('workspaces')
      .values([
        {
          id: 'ws_a',
          name: 'Acme',
          plan: 'professional',
          settings: '{}',
          created_at: now,
          external_id: null,
        },
        { id: 'ws_b', name: 'Beta', plan: 'free', settings: '{}', created_at: now, external_id: 'cus_9' },
      ])
      .execute();
    const user = (id: string, ws: string, email: string, role: string) => ({
      id,
      workspace_id: ws,
      email,
      password_hash: `scrypt$hash-of-${id}`,
      role,
      created_at: now,
      updated_at: now + 1,
    });
    await kysely
      .insertInto('users')
      .values([
        user('user_1', 'ws_a', 'owner@acme.test', 'owner'),
        user('user_2', 'ws_a', 'member@acme.test', 'member'),
        user('user_3', 'ws_b', 'admin@beta.test', 'admin'),
      ])
      .execute();
    await kysely
      .insertInto('sessions')
      .values([
        {
          id_hash: 'h1',
          user_id: 'user_1',
          csrf_token: 'c1',
          created_at: now,
          last_seen_at: now,
          expires_at: now + 9,
        },
        {
          id_hash: 'h3',
          user_id: 'user_3',
          csrf_token: 'c3',
          created_at: now,
          last_seen_at: now,
          expires_at: now + 9,
        },
      ])
      .execute();

    const audit = (id: string, ws: string) => ({
      id,
      workspace_id: ws,
      actor_type: 'cli',
      actor_id: null,
      actor_label: 'keyward CLI',
      action: 'api_key.created',
      target_type: 'api_key',
      target_id: 'key_1',
      ip: null,
      before: null,
      after: '{"name":"ci"}',
      created_at: now,
    });
    await kysely
      .insertInto('audit_log')
      .values([audit('aud_1', 'ws_a'), audit('aud_2', 'ws_b')])
      .execute();

    expect(await db.storage.migrate()).toEqual([
      '0006-memberships',
      '0007-portal-links',
      '0008-audit-outlives-workspaces',
    ]);
    const entries = await kysely.selectFrom('audit_log').selectAll().orderBy('id').execute();
    expect(entries).toEqual([audit('aud_1', 'ws_a'), audit('aud_2', 'ws_b')]);

    const users = db.storage.users;
    expect(await users.list('ws_a')).toEqual([
      {
        id: 'user_1',
        workspace_id: 'ws_a',
        email: 'owner@acme.test',
        name: null,
        password_hash: 'scrypt$hash-of-user_1',
        role: 'owner',
        created_at: now,
        updated_at: now + 1,
      },
      expect.objectContaining({ id: 'user_2', role: 'member', email: 'member@acme.test' }),
    ]);
    expect(await users.list('ws_b')).toEqual([expect.objectContaining({ id: 'user_3', role: 'admin' })]);
    expect(await users.byEmail('admin@beta.test')).toMatchObject({
      id: 'user_3',
      password_hash: 'scrypt$hash-of-user_3',
    });
    expect(await users.sessionWithUser('h1')).toMatchObject({
      session: { workspace_id: 'ws_a', csrf_token: 'c1' },
      user: { id: 'user_1', role: 'owner' },
    });
    expect(await users.sessionWithUser('h3')).toMatchObject({
      session: { workspace_id: 'ws_b' },
      user: { role: 'admin' },
    });
    expect(await users.count()).toBe(3);

    // The constraints hold after the rebuild: one person per email, foreign keys still cascade.
    await expect(
      users.insertPerson({
        id: 'user_4',
        email: 'owner@acme.test',
        name: null,
        password_hash: null,
        created_at: now,
        updated_at: now,
      }),
    ).rejects.toThrow();
    await kysely.deleteFrom('workspaces').where('id', '=', 'ws_b').execute();
    expect(await users.sessionWithUser('h3')).toBeUndefined();
    expect(await users.membershipsOf('user_3')).toEqual([]);
    const left = await sql<{ n: number }>`select count(*) as n from sessions`.execute(kysely);
    expect(Number(left.rows[0]!.n)).toBe(1);
    // An audit entry outlives its workspace (0008).
    const kept = await kysely
      .selectFrom('audit_log')
      .select('id')
      .where('workspace_id', '=', 'ws_b')
      .execute();
    expect(kept).toEqual([{ id: 'aud_2' }]);
  });
});

describeDialects('people in several workspaces', (create) => {
  let db: TestDatabase;
  let t: TestApp;
  let acme: Session;
  let beta: Session;

  beforeAll(async () => {
    db = await create();
    t = await startTestApp({ db });
    acme = await setupOwner(t, 'owner@acme.test', 'Acme');
    // A second workspace with its own owner, made as the operator would.
    const ws = await t.workspace('professional', 'Beta');
    data(
      await acme.call('POST', '/api/users', { email: 'ops@acme.test', password: PASSWORD, role: 'member' }),
    );
    await createUser(
      t.deps.storage,
      { workspaceId: ws, email: 'owner@beta.test', password: PASSWORD, role: 'owner' },
      { type: 'cli' },
      t.clock.now(),
    );
    beta = await signIn(t, 'owner@beta.test');
  });
  afterAll(async () => {
    await t?.app.close();
    await db?.drop();
  });

  it('an owner adds a person who already has an account without a password; they keep theirs', async () => {
    // Memberships are listed in the order they were made (sign-in lands in the first).
    t.clock.advance(1_000);
    const added = data(await beta.call('POST', '/api/users', { email: 'OPS@acme.test', role: 'admin' }));
    expect(added).toMatchObject({ email: 'ops@acme.test', role: 'admin', workspace_id: beta.workspaceId });
    // Setting a password on someone else's account is refused; so is adding a member twice.
    expectError(
      await beta.call('POST', '/api/users', {
        email: 'owner@acme.test',
        password: 'a new password 1',
        role: 'member',
      }),
      409,
      'ERR_CONFLICT',
    );
    expectError(
      await beta.call('POST', '/api/users', { email: 'ops@acme.test', role: 'member' }),
      409,
      'ERR_CONFLICT',
    );
    expect((await signIn(t, 'ops@acme.test')).workspaceId).toBe(acme.workspaceId);
  });

  it('the session lists memberships, switches workspace, and scopes every route to the current one', async () => {
    const ops = await signIn(t, 'ops@acme.test');
    const me = data<{ memberships: unknown[]; workspace: { id: string }; user: { role: string } }>(
      await ops.call('GET', '/api/session'),
    );
    expect(me.workspace.id).toBe(acme.workspaceId);
    expect(me.user.role).toBe('member');
    expect(me.memberships).toEqual([
      { workspace_id: acme.workspaceId, workspace_name: 'Acme', role: 'member' },
      { workspace_id: beta.workspaceId, workspace_name: 'Beta', role: 'admin' },
    ]);

    const betaKey = data<{ id: string }>(
      await beta.call('POST', '/api/keys', { name: 'beta ci', scope: 'read' }),
    );
    // A member in Acme: no key writes there, and Beta's key is another workspace's (404).
    expectError(await ops.call('POST', '/api/keys', { name: 'x', scope: 'read' }), 403, 'ERR_FORBIDDEN');
    expectError(await ops.call('GET', `/api/keys/${betaKey.id}`), 404, 'ERR_NOT_FOUND');

    // Switching needs the CSRF token, and a workspace the person belongs to.
    expectError(
      await ops.call('PATCH', '/api/session', { workspace_id: beta.workspaceId }, { csrf: false }),
      403,
      'ERR_FORBIDDEN',
    );
    const foreign = await t.workspace('professional', 'Gamma');
    expectError(await ops.call('PATCH', '/api/session', { workspace_id: foreign }), 404, 'ERR_NOT_FOUND');
    expectError(await ops.call('PATCH', '/api/session', { workspace_id: 'ws_nope' }), 404, 'ERR_NOT_FOUND');

    const switched = data<{ workspace: { id: string }; user: { role: string; workspace_id: string } }>(
      await ops.call('PATCH', '/api/session', { workspace_id: beta.workspaceId }),
    );
    expect(switched.workspace.id).toBe(beta.workspaceId);
    expect(switched.user).toMatchObject({ role: 'admin', workspace_id: beta.workspaceId });
    // The same cookie is now in Beta, as an admin there.
    expect(data<{ id: string }>(await ops.call('GET', `/api/keys/${betaKey.id}`)).id).toBe(betaKey.id);
    data(await ops.call('POST', '/api/keys', { name: 'ops in beta', scope: 'read' }));
    const acmeKeys = data<unknown[]>(await acme.call('GET', '/api/keys'));
    expect(acmeKeys.some((k) => (k as { name: string }).name === 'ops in beta')).toBe(false);
  });

  it('removing a person from one workspace ends their sessions there and keeps the other', async () => {
    const inBeta = await signIn(t, 'ops@acme.test');
    data(await inBeta.call('PATCH', '/api/session', { workspace_id: beta.workspaceId }));
    const inAcme = await signIn(t, 'ops@acme.test');
    data(await beta.call('DELETE', `/api/users/${inBeta.userId}`));
    expectError(await inBeta.call('GET', '/api/session'), 401, 'ERR_UNAUTHENTICATED');
    const me = data<{ memberships: unknown[] }>(await inAcme.call('GET', '/api/session'));
    expect(me.memberships).toEqual([
      { workspace_id: acme.workspaceId, workspace_name: 'Acme', role: 'member' },
    ]);

    // Removed from their last workspace, the person is gone: the email can be used afresh.
    data(await acme.call('DELETE', `/api/users/${inAcme.userId}`));
    expect(await t.deps.storage.users.byEmail('ops@acme.test')).toBeUndefined();
    expectError(
      await t.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: 'ops@acme.test', password: PASSWORD },
      }),
      401,
      'ERR_UNAUTHENTICATED',
    );
  });

  it('a person without a password cannot sign in with one', async () => {
    data(
      await acme.call('POST', '/api/users', { email: 'portal-only@acme.test', name: 'Pat', role: 'admin' }),
    );
    const person = await t.deps.storage.users.byEmail('portal-only@acme.test');
    expect(person).toMatchObject({ name: 'Pat', password_hash: null });
    for (const password of ['', 'null', PASSWORD]) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: 'portal-only@acme.test', password },
      });
      expectError(r, 401, 'ERR_UNAUTHENTICATED');
    }
    // Session ids are stored only as their hash.
    const rows = await db.storage.db.selectFrom('sessions').select('id_hash').execute();
    expect(rows.every((r) => r.id_hash.length === hashSecret('x').length)).toBe(true);
  });
});
