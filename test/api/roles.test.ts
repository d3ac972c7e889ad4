/**
 * Who may call what in the management API: every endpoint against anonymous, member, admin, owner and a
 * user of another workspace; plus the guarantees around owners and removed users.
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleAtLeast } from '../../src/accounts/users.ts';
import type { Role } from '../../src/storage/schema.ts';
import { expectData, expectError } from '../http/harness.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  auditCount,
  type Endpoint,
  isWrite,
  MANAGEMENT_ENDPOINTS,
  request,
  type Target,
  targetMaker,
} from '../support/management.ts';
import { type Session, setupOwner, userWithRole } from '../support/session.ts';
import { dialects, type TestDatabase } from '../support/storages.ts';

type Call = (method: InjectOptions['method'], url: string, body?: unknown) => Promise<LightMyRequestResponse>;

/** Management paths in the OpenAPI document, as `METHOD /path/:id`. */
function documentedManagementRoutes(doc: {
  paths: Record<string, Record<string, { tags?: string[] }>>;
}): string[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => op.tags?.includes('management'))
      .map(([method]) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
  );
}

describe.each(dialects())('management roles on $name', ({ create }) => {
  if (!create) {
    it.skip('needs its database service (see the warning above)', () => {});
    return;
  }
  let db: TestDatabase;
  let t: TestApp;
  let owner: Session;
  let outsider: Session;
  let staff: [Role, Session][];
  let ws: string;
  let make: (target: Target, workspaceId: string) => Promise<string>;

  beforeAll(async () => {
    db = await create();
    t = await startTestApp({ db });
    owner = await setupOwner(t);
    ws = owner.workspaceId;
    const [member, admin] = [await userWithRole(t, ws, 'member'), await userWithRole(t, ws, 'admin')];
    staff = [
      ['member', member],
      ['admin', admin],
      ['owner', owner],
    ];
    // An owner elsewhere: the strongest role, so only the workspace boundary can stop it.
    outsider = await userWithRole(t, await t.workspace('professional', 'Other Inc'), 'owner');
    make = await targetMaker(t);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const anonymous: Call = (method, url, body) =>
    t.app.inject({
      method,
      url,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
  const call = (who: Call, e: Endpoint, id?: string) => {
    const r = request(e, id);
    return who(e.method, r.url, r.body);
  };

  it('the table covers every management endpoint in the OpenAPI document', async () => {
    const documented = documentedManagementRoutes((await t.app.inject({ url: '/openapi.json' })).json());
    const own = [
      'GET /api/setup',
      'POST /api/setup',
      'POST /api/session',
      'GET /api/session',
      'PATCH /api/session',
      'DELETE /api/session',
    ];
    const tabled = MANAGEMENT_ENDPOINTS.map((e) => `${e.method} ${e.path}`);
    expect(documented.filter((r) => !own.includes(r)).sort()).toEqual([...tabled].sort());
  });

  const rows = MANAGEMENT_ENDPOINTS.map((e) => [`${e.method} ${e.path}`, e.role, e] as const);

  it.each(rows)(
    '%s: anonymous 401, below %s 403, another workspace 404, the rest succeed',
    async (_, __, e) => {
      const target = e.target ? await make(e.target, ws) : undefined;
      const audited = await auditCount(t, ws);

      expectError(await call(anonymous, e, target), 401, 'ERR_UNAUTHENTICATED');
      for (const [role, s] of staff) {
        if (!roleAtLeast(role, e.role)) expectError(await call(s.call, e, target), 403, 'ERR_FORBIDDEN');
      }
      if (target) {
        const res = await call(outsider.call, e, target);
        expectError(res, 404, 'ERR_NOT_FOUND');
        expect(res.body).not.toContain('"target"');
      }
      // Refused calls change nothing (every change writes an audit entry).
      expect(await auditCount(t, ws)).toBe(audited);

      let id = target;
      for (const [role, s] of staff) {
        if (!roleAtLeast(role, e.role)) continue;
        id ??= e.target ? await make(e.target, ws) : undefined;
        const before = await auditCount(t, ws);
        const res = await call(s.call, e, id);
        expect({ role, status: res.statusCode, body: res.body }).toMatchObject({
          role,
          status: e.status ?? 200,
        });
        if (id && e.path.endsWith('/:id') && !isWrite(e)) expect(res.body).toContain(id);
        if (isWrite(e)) expect(await auditCount(t, ws)).toBeGreaterThan(before);
        id = undefined;
      }

      if (!target) {
        // Collections are always the caller's own workspace: the outsider sees or changes theirs.
        const res = await call(outsider.call, e);
        expect(res.statusCode).toBe(e.status ?? 200);
        expect(res.body).not.toContain(ws);
      }
    },
  );

  it('an unknown id is 404 exactly like another workspace’s id', async () => {
    const foreign = await make('key', ws);
    const a = await outsider.call('GET', `/api/keys/${foreign}`);
    const b = await outsider.call('GET', '/api/keys/key_0000000000000000000000');
    expectError(a, 404, 'ERR_NOT_FOUND');
    expectError(b, 404, 'ERR_NOT_FOUND');
    expect(a.body.replace(foreign, 'ID')).toBe(b.body.replace('key_0000000000000000000000', 'ID'));
  });

  it('the last owner cannot be demoted or removed (409); with a second owner both can go', async () => {
    expectError(
      await owner.call('PATCH', `/api/users/${owner.userId}`, { role: 'admin' }),
      409,
      'ERR_CONFLICT',
    );
    expectError(await owner.call('DELETE', `/api/users/${owner.userId}`), 409, 'ERR_CONFLICT');
    expect(expectData<{ user: { role: string } }>(await owner.call('GET', '/api/session')).user.role).toBe(
      'owner',
    );

    const second = await make('user', ws);
    expectData(await owner.call('PATCH', `/api/users/${second}`, { role: 'owner' }));
    expectData(await owner.call('PATCH', `/api/users/${second}`, { role: 'member' }));
    expectData(await owner.call('PATCH', `/api/users/${second}`, { role: 'owner' }));
    expectData(await owner.call('DELETE', `/api/users/${second}`));
    expectError(await owner.call('DELETE', `/api/users/${owner.userId}`), 409, 'ERR_CONFLICT');
  });

  it('two owners demoting each other at the same time leave at least one owner', async () => {
    const team = await t.workspace('professional', 'Duo');
    const [a, b] = [await userWithRole(t, team, 'owner'), await userWithRole(t, team, 'owner')];
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all([
        a.call('PATCH', `/api/users/${b.userId}`, { role: 'member' }),
        b.call('PATCH', `/api/users/${a.userId}`, { role: 'member' }),
      ]);
      const owners = (await t.deps.storage.users.list(team)).filter((u) => u.role === 'owner');
      expect(owners).toHaveLength(1);
      // The loser is refused: 409 (last owner) or 403 (already demoted when its request arrived).
      const statuses = results.map((r) => r.statusCode).sort();
      expect(statuses[0]).toBe(200);
      expect([403, 409]).toContain(statuses[1]);
      const [left, demoted] = owners[0]!.id === a.userId ? [a, b] : [b, a];
      expectData(await left.call('PATCH', `/api/users/${demoted.userId}`, { role: 'owner' }));
    }
  });

  it('removing a user ends their sessions at once; a role change applies to open sessions at once', async () => {
    const leaver = await userWithRole(t, ws, 'admin');
    expectData(await leaver.call('GET', '/api/session'));
    expectData(await owner.call('DELETE', `/api/users/${leaver.userId}`));
    expectError(await leaver.call('GET', '/api/session'), 401, 'ERR_UNAUTHENTICATED');
    expectError(await leaver.call('GET', '/api/keys'), 401, 'ERR_UNAUTHENTICATED');

    const demoted = await userWithRole(t, ws, 'admin');
    expectData(await demoted.call('POST', '/api/keys', { name: 'before', scope: 'read' }), 201);
    expectData(await owner.call('PATCH', `/api/users/${demoted.userId}`, { role: 'member' }));
    expectError(
      await demoted.call('POST', '/api/keys', { name: 'after', scope: 'read' }),
      403,
      'ERR_FORBIDDEN',
    );
  });
});
