/** Scopes: every endpoint requires one `resource:action`, and the rule of DESIGN.md decides who holds it. */
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.ts';
import { newSecretRow } from '../../src/credentials/api-keys.ts';
import type { CredentialRow } from '../../src/storage/repositories/credentials.ts';
import type { TestApp } from '../support/app.ts';
import { describeDialects, expectData, expectError, send, useApp } from './harness.ts';

interface Fixture {
  board: string;
  post: string;
  vote: string;
}

interface Endpoint {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** As in the OpenAPI document. */
  route: string;
  scope: string;
  url(f: Fixture): string;
  body?(): unknown;
}

let seq = 0;
const unique = () => `${process.pid}-${++seq}`;

const ENDPOINTS: Endpoint[] = [
  { method: 'GET', route: '/v1/boards', scope: 'boards:read', url: () => '/v1/boards' },
  {
    method: 'POST',
    route: '/v1/boards',
    scope: 'boards:write',
    url: () => '/v1/boards',
    body: () => ({ name: `Board ${unique()}` }),
  },
  { method: 'GET', route: '/v1/boards/{id}', scope: 'boards:read', url: (f) => `/v1/boards/${f.board}` },
  {
    method: 'PATCH',
    route: '/v1/boards/{id}',
    scope: 'boards:write',
    url: (f) => `/v1/boards/${f.board}`,
    body: () => ({ description: 'changed' }),
  },
  { method: 'DELETE', route: '/v1/boards/{id}', scope: 'boards:write', url: (f) => `/v1/boards/${f.board}` },
  {
    method: 'GET',
    route: '/v1/boards/{id}/posts',
    scope: 'posts:read',
    url: (f) => `/v1/boards/${f.board}/posts`,
  },
  {
    method: 'POST',
    route: '/v1/boards/{id}/posts',
    scope: 'posts:write',
    url: (f) => `/v1/boards/${f.board}/posts`,
    body: () => ({ title: 'Dark mode' }),
  },
  { method: 'GET', route: '/v1/posts/{id}', scope: 'posts:read', url: (f) => `/v1/posts/${f.post}` },
  {
    method: 'PATCH',
    route: '/v1/posts/{id}',
    scope: 'posts:write',
    url: (f) => `/v1/posts/${f.post}`,
    body: () => ({ status: 'planned' }),
  },
  { method: 'DELETE', route: '/v1/posts/{id}', scope: 'posts:write', url: (f) => `/v1/posts/${f.post}` },
  {
    method: 'GET',
    route: '/v1/posts/{id}/votes',
    scope: 'votes:read',
    url: (f) => `/v1/posts/${f.post}/votes`,
  },
  {
    method: 'POST',
    route: '/v1/posts/{id}/votes',
    scope: 'votes:write',
    url: (f) => `/v1/posts/${f.post}/votes`,
    body: () => ({ voter: `voter-${unique()}` }),
  },
  { method: 'DELETE', route: '/v1/votes/{id}', scope: 'votes:write', url: (f) => `/v1/votes/${f.vote}` },
];

const READS = ENDPOINTS.filter((e) => e.method === 'GET');
const WRITES = ENDPOINTS.filter((e) => e.method !== 'GET');

/** The rule written out independently of the code under test (DESIGN.md, Scopes). */
function expectedAllowed(held: string, required: string): boolean {
  const [resource, action] = required.split(':');
  if (held === 'read:write' || held === required) return true;
  if (action === 'read') return held === 'read' || held === `${resource}:write`;
  return false;
}

/** An integration token holding granular scopes, minted straight into storage. */
async function integrationToken(t: TestApp, workspaceId: string, scopes: string[]): Promise<string> {
  const now = t.clock.now();
  const credential: CredentialRow = {
    id: newId('integration', now),
    workspace_id: workspaceId,
    kind: 'integration_token',
    name: 'Zapier',
    description: '',
    scopes: JSON.stringify(scopes),
    rate_limit: null,
    expires_at: null,
    revoked_at: null,
    deleted_at: null,
    last_used_at: null,
    last_used_ip: null,
    created_at: now,
    updated_at: now,
  };
  const { secret, row } = newSecretRow(credential.id, t.deps.config.tokenPrefix, now);
  await t.deps.storage.credentials.create(credential, row);
  return secret;
}

const call = (t: TestApp, secret: string, e: Endpoint, f: Fixture) =>
  send(t, { method: e.method, url: e.url(f), secret, body: e.body?.() });

describeDialects('scopes', (create) => {
  const t = useApp(create);
  let ws = '';
  let admin = '';

  /** A fresh board with one post and one vote, so a test's writes touch only its own objects. */
  async function fixture(): Promise<Fixture> {
    const board = expectData<{ id: string }>(
      await send(t(), {
        method: 'POST',
        url: '/v1/boards',
        secret: admin,
        body: { name: `Fixture ${unique()}` },
      }),
      201,
    ).id;
    const post = expectData<{ id: string }>(
      await send(t(), {
        method: 'POST',
        url: `/v1/boards/${board}/posts`,
        secret: admin,
        body: { title: 'Export' },
      }),
      201,
    ).id;
    const vote = expectData<{ id: string }>(
      await send(t(), {
        method: 'POST',
        url: `/v1/posts/${post}/votes`,
        secret: admin,
        body: { voter: 'ann' },
      }),
      201,
    ).id;
    return { board, post, vote };
  }

  /** What a refused write must leave untouched. */
  async function snapshot(f: Fixture) {
    const get = (url: string) => send(t(), { method: 'GET', url, secret: admin }).then((r) => r.json());
    return Promise.all([
      get(`/v1/boards/${f.board}`),
      get(`/v1/posts/${f.post}`),
      get(`/v1/posts/${f.post}/votes`),
    ]);
  }

  let shared: Fixture;
  /** A DELETE destroys its fixture; everything else can share one. */
  const fixtureFor = (e: Endpoint) => (e.method === 'DELETE' ? fixture() : Promise.resolve(shared));

  beforeAll(async () => {
    ws = await t().workspace();
    admin = (await t().key(ws, 'read:write')).secret;
    shared = await fixture();
  });

  describe('API keys', () => {
    it.each(READS.map((e) => [`${e.method} ${e.route}`, e] as const))('a read key can %s', async (_, e) => {
      const { secret } = await t().key(ws, 'read');
      const res = await call(t(), secret, e, shared);
      expect({ status: res.statusCode, body: res.body }).toMatchObject({ status: 200 });
    });

    it.each(WRITES.map((e) => [`${e.method} ${e.route}`, e] as const))(
      'a read key cannot %s: 403 naming the scope, nothing changed',
      async (_, e) => {
        const { secret } = await t().key(ws, 'read');
        const f = await fixtureFor(e);
        const before = await snapshot(f);
        const error = expectError(await call(t(), secret, e, f), 403, 'ERR_SCOPE_INSUFFICIENT');
        expect(error.details).toEqual({ required: e.scope });
        expect(error.message).toContain(e.scope);
        expect(await snapshot(f)).toEqual(before);
      },
    );

    it.each(ENDPOINTS.map((e) => [`${e.method} ${e.route}`, e] as const))(
      'a read:write key can %s',
      async (_, e) => {
        const { secret } = await t().key(ws, 'read:write');
        const res = await call(t(), secret, e, await fixtureFor(e));
        expect(res.statusCode, res.body).toBeGreaterThanOrEqual(200);
        expect(res.statusCode, res.body).toBeLessThan(300);
      },
    );

    it('the matrix covers every boards/posts/votes endpoint of the OpenAPI document', async () => {
      const doc = (await t().app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
        paths: Record<string, Record<string, unknown>>;
      };
      const documented = Object.entries(doc.paths)
        .filter(([path]) => /^\/v1\/(boards|posts|votes)/.test(path))
        .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
      expect(documented.sort()).toEqual(ENDPOINTS.map((e) => `${e.method} ${e.route}`).sort());
    });
  });

  describe('integration tokens with granular scopes', () => {
    it.each(['boards:read', 'boards:write', 'posts:read', 'posts:write', 'votes:read', 'votes:write'])(
      'a token holding only %s reaches exactly the endpoints the scope rule allows',
      async (scope) => {
        const token = await integrationToken(t(), ws, [scope]);
        const outcome: string[] = [];
        const expected: string[] = [];
        for (const e of ENDPOINTS) {
          const res = await call(t(), token, e, await fixtureFor(e));
          const name = `${e.method} ${e.route}`;
          if (res.statusCode === 403) {
            expect(res.json()).toEqual({
              error: expect.objectContaining({ details: { required: e.scope } }),
            });
          }
          outcome.push(
            `${name}: ${res.statusCode === 403 ? 'denied' : res.statusCode < 300 ? 'allowed' : res.statusCode}`,
          );
          expected.push(`${name}: ${expectedAllowed(scope, e.scope) ? 'allowed' : 'denied'}`);
        }
        expect(outcome).toEqual(expected);
      },
    );

    it('posts:write satisfies posts:read but grants nothing on boards', async () => {
      const token = await integrationToken(t(), ws, ['posts:write']);
      const f = await fixture();
      expectData(await send(t(), { method: 'GET', url: `/v1/posts/${f.post}`, secret: token }));
      expectData(await send(t(), { method: 'GET', url: `/v1/boards/${f.board}/posts`, secret: token }));
      const denied = expectError(
        await send(t(), { method: 'GET', url: '/v1/boards', secret: token }),
        403,
        'ERR_SCOPE_INSUFFICIENT',
      );
      expect(denied.details).toEqual({ required: 'boards:read' });
    });

    it('a read scope does not allow writing that resource', async () => {
      const token = await integrationToken(t(), ws, ['posts:read']);
      const f = await fixture();
      const res = await send(t(), {
        method: 'POST',
        url: `/v1/boards/${f.board}/posts`,
        secret: token,
        body: { title: 'x' },
      });
      expect(expectError(res, 403, 'ERR_SCOPE_INSUFFICIENT').details).toEqual({ required: 'posts:write' });
    });

    it('several scopes add up', async () => {
      const token = await integrationToken(t(), ws, ['boards:read', 'votes:write']);
      const f = await fixture();
      expectData(await send(t(), { method: 'GET', url: `/v1/boards/${f.board}`, secret: token }));
      expectData(await send(t(), { method: 'GET', url: `/v1/posts/${f.post}/votes`, secret: token }));
      expectData(await send(t(), { method: 'DELETE', url: `/v1/votes/${f.vote}`, secret: token }));
      expectError(
        await send(t(), { method: 'GET', url: `/v1/posts/${f.post}`, secret: token }),
        403,
        'ERR_SCOPE_INSUFFICIENT',
      );
    });

    it('any valid token can ping, and ping reports its kind and scopes', async () => {
      const token = await integrationToken(t(), ws, ['votes:read']);
      const data = expectData<{ credential: { kind: string; scopes: string[] } }>(
        await send(t(), { method: 'GET', url: '/v1/ping', secret: token }),
      );
      expect(data.credential).toMatchObject({ kind: 'integration_token', scopes: ['votes:read'] });
    });
  });
});
