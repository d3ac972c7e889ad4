/** What the admin API suites share: an app with an admin token, calls with an operator token, the routes. */
import type { LightMyRequestResponse } from 'fastify';
import { createOperatorToken } from '../../src/operators/tokens.ts';
import type { OperatorAccess } from '../../src/storage/schema.ts';
import { send } from '../http/harness.ts';
import type { TestApp } from '../support/app.ts';

/** KEYWARD_ADMIN_TOKEN of the suites' apps. */
export const ADMIN_TOKEN = 'admin-bootstrap-token-0123456789';

export interface AdminWorkspace {
  id: string;
  name: string;
  plan: string;
  external_id: string | null;
  created_at: string;
}

export interface AuditEntry {
  id: string;
  workspace_id: string;
  action: string;
  actor: { type: string; id: string | null; label: string | null };
  target: { type: string; id: string | null };
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** An admin API call (the bootstrap admin token unless another is given) from `ip`. */
export function adminCall(
  t: TestApp,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  options: { body?: unknown; token?: string | null; ip?: string } = {},
): Promise<LightMyRequestResponse> {
  const token = options.token === undefined ? ADMIN_TOKEN : options.token;
  return send(t, { method, url, body: options.body, secret: token ?? undefined, ip: options.ip });
}

/** Mints an operator token in storage, as `keyward operator-token create` does. */
export async function operatorToken(t: TestApp, name: string, access: OperatorAccess) {
  const { token, secret } = await createOperatorToken(t.deps.storage, { name, access }, t.clock.now());
  return { id: token.id, secret };
}

let serial = 0;
/** A test address of its own, so each test's failed authentications are counted apart. */
export const freshIp = () => `198.51.100.${++serial % 250}`;

/** Every admin route, with a body that would be valid: for the authentication matrix. */
export const ADMIN_ROUTES: readonly {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
}[] = [
  { method: 'POST', url: '/admin/v1/workspaces', body: { name: 'Acme' } },
  { method: 'GET', url: '/admin/v1/workspaces' },
  { method: 'GET', url: '/admin/v1/workspaces/ws_x' },
  { method: 'PATCH', url: '/admin/v1/workspaces/ws_x', body: { name: 'Acme' } },
  { method: 'DELETE', url: '/admin/v1/workspaces/ws_x' },
  { method: 'GET', url: '/admin/v1/workspaces/ws_x/keys' },
  { method: 'POST', url: '/admin/v1/workspaces/ws_x/keys', body: { name: 'ci', scope: 'read' } },
  { method: 'POST', url: '/admin/v1/keys/key_x/revoke' },
  { method: 'GET', url: '/admin/v1/workspaces/ws_x/members' },
  {
    method: 'POST',
    url: '/admin/v1/workspaces/ws_x/members',
    body: { email: 'a@acme.test', role: 'member' },
  },
  { method: 'PATCH', url: '/admin/v1/workspaces/ws_x/members/usr_x', body: { role: 'admin' } },
  { method: 'DELETE', url: '/admin/v1/workspaces/ws_x/members/usr_x' },
  { method: 'POST', url: '/admin/v1/workspaces/ws_x/portal-sessions', body: { email: 'a@acme.test' } },
  { method: 'GET', url: '/admin/v1/usage' },
  { method: 'GET', url: '/admin/v1/audit-log' },
];
