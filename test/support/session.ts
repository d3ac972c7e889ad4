/** Signs users in against a test app and calls the management API with cookie + CSRF token. */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createUser } from '../../src/accounts/users.ts';
import type { Role } from '../../src/storage/schema.ts';
import type { TestApp } from './app.ts';

export const PASSWORD = 'correct horse battery staple';

export interface Session {
  cookie: string;
  csrf: string;
  userId: string;
  workspaceId: string;
  /** A management call; state-changing methods send the CSRF token unless `csrf: false`. */
  call(
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    options?: { csrf?: boolean },
  ): Promise<LightMyRequestResponse>;
}

export function sessionFrom(t: TestApp, response: LightMyRequestResponse): Session {
  const setCookie = response.headers['set-cookie'];
  const cookie = String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0]!;
  const body = response.json() as {
    data: { csrf_token: string; user: { id: string; workspace_id: string } };
  };
  const csrf = body.data.csrf_token;
  return {
    cookie,
    csrf,
    userId: body.data.user.id,
    workspaceId: body.data.user.workspace_id,
    call(method, url, payload, options = {}) {
      const headers: Record<string, string> = { cookie };
      if (options.csrf !== false) headers['x-csrf-token'] = csrf;
      if (payload !== undefined) headers['content-type'] = 'application/json';
      return t.app.inject({
        method,
        url,
        headers,
        payload: payload === undefined ? undefined : JSON.stringify(payload),
      });
    },
  };
}

/** First-run setup: creates the workspace and its owner, signed in. */
export async function setupOwner(
  t: TestApp,
  email = 'owner@acme.test',
  workspaceName = 'Acme',
): Promise<Session> {
  const r = await t.app.inject({
    method: 'POST',
    url: '/api/setup',
    payload: { workspace_name: workspaceName, email, password: PASSWORD },
  });
  if (r.statusCode !== 201) throw new Error(`setup failed: ${r.statusCode} ${r.body}`);
  return sessionFrom(t, r);
}

export async function signIn(t: TestApp, email: string, password = PASSWORD): Promise<Session> {
  const r = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email, password } });
  if (r.statusCode !== 200) throw new Error(`sign-in failed: ${r.statusCode} ${r.body}`);
  return sessionFrom(t, r);
}

/** Adds a user with a role to a workspace (directly, as the CLI would) and signs them in. */
export async function userWithRole(
  t: TestApp,
  workspaceId: string,
  role: Role,
  email = `${role}-${Math.random().toString(36).slice(2, 8)}@acme.test`,
): Promise<Session> {
  await createUser(
    t.deps.storage,
    { workspaceId, email, password: PASSWORD, role },
    { type: 'cli' },
    t.clock.now(),
  );
  return signIn(t, email);
}
