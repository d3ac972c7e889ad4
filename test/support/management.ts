/**
 * Every management endpoint with the least role it needs and one valid call, so the role matrix and the
 * CSRF suite walk the same list; `targets` makes a fresh object for each call that acts on an id.
 */
import { hashPassword } from '../../src/accounts/passwords.ts';
import { insertUser } from '../../src/accounts/users.ts';
import { CLI_ACTOR } from '../../src/audit/record.ts';
import { createApiKey } from '../../src/credentials/api-keys.ts';
import { createIntegration, issueIntegrationToken } from '../../src/credentials/integrations.ts';
import type { Role } from '../../src/storage/schema.ts';
import { createEndpoint } from '../../src/webhooks/endpoints.ts';
import { sendTestEvent } from '../../src/webhooks/resend.ts';
import type { TestApp } from './app.ts';
import { PASSWORD } from './session.ts';

export type Target = 'key' | 'integration' | 'tokened integration' | 'user' | 'webhook' | 'webhook delivery';

export interface Endpoint {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** `:id` stands for the target's id. */
  path: string;
  role: Role;
  target?: Target;
  /** A valid body; a function when it must differ per call. */
  body?: unknown;
  /** The success status (default 200). */
  status?: number;
}

/** A public address that needs no DNS (TEST-NET-3); test apps run no webhook worker, so nothing is sent. */
const WEBHOOK_URL = 'https://203.0.113.7/keyward';

let n = 0;
const unique = (base: string) => `${base}-${++n}-${Math.random().toString(36).slice(2, 6)}`;

export const MANAGEMENT_ENDPOINTS: readonly Endpoint[] = [
  { method: 'GET', path: '/api/workspace', role: 'member' },
  { method: 'GET', path: '/api/scopes', role: 'member' },
  { method: 'PATCH', path: '/api/workspace', role: 'owner', body: { name: 'Acme' } },
  { method: 'GET', path: '/api/users', role: 'owner' },
  {
    method: 'POST',
    path: '/api/users',
    role: 'owner',
    body: () => ({ email: `${unique('new')}@acme.test`, password: PASSWORD, role: 'member' }),
    status: 201,
  },
  { method: 'PATCH', path: '/api/users/:id', role: 'owner', target: 'user', body: { role: 'admin' } },
  { method: 'DELETE', path: '/api/users/:id', role: 'owner', target: 'user' },
  { method: 'GET', path: '/api/keys', role: 'member' },
  { method: 'POST', path: '/api/keys', role: 'admin', body: { name: 'ci', scope: 'read' }, status: 201 },
  { method: 'GET', path: '/api/keys/:id', role: 'member', target: 'key' },
  { method: 'POST', path: '/api/keys/:id/revoke', role: 'admin', target: 'key' },
  { method: 'POST', path: '/api/keys/:id/expire', role: 'admin', target: 'key', body: {} },
  { method: 'DELETE', path: '/api/keys/:id', role: 'admin', target: 'key' },
  { method: 'GET', path: '/api/integrations', role: 'member' },
  {
    method: 'POST',
    path: '/api/integrations',
    role: 'admin',
    body: { name: 'Zapier', scopes: ['boards:read'] },
    status: 201,
  },
  { method: 'GET', path: '/api/integrations/:id', role: 'member', target: 'integration' },
  {
    method: 'PATCH',
    path: '/api/integrations/:id',
    role: 'admin',
    target: 'integration',
    body: { name: 'Renamed' },
  },
  { method: 'DELETE', path: '/api/integrations/:id', role: 'admin', target: 'integration' },
  { method: 'POST', path: '/api/integrations/:id/token', role: 'admin', target: 'integration', status: 201 },
  {
    method: 'POST',
    path: '/api/integrations/:id/rotate',
    role: 'admin',
    target: 'tokened integration',
    body: { mode: 'now' },
  },
  {
    method: 'POST',
    path: '/api/integrations/:id/expire',
    role: 'admin',
    target: 'tokened integration',
    body: {},
  },
  { method: 'GET', path: '/api/credentials/:id/usage', role: 'member', target: 'key' },
  { method: 'GET', path: '/api/credentials/:id/requests', role: 'member', target: 'key' },
  { method: 'GET', path: '/api/usage', role: 'member' },
  { method: 'GET', path: '/api/audit-log', role: 'admin' },
  { method: 'GET', path: '/api/alerts', role: 'member' },
  { method: 'GET', path: '/api/webhooks', role: 'member' },
  {
    method: 'POST',
    path: '/api/webhooks',
    role: 'admin',
    body: { url: WEBHOOK_URL, events: ['post.created'] },
    status: 201,
  },
  { method: 'GET', path: '/api/webhooks/:id', role: 'member', target: 'webhook' },
  {
    method: 'PATCH',
    path: '/api/webhooks/:id',
    role: 'admin',
    target: 'webhook',
    body: { description: 'CRM' },
  },
  { method: 'DELETE', path: '/api/webhooks/:id', role: 'admin', target: 'webhook' },
  { method: 'GET', path: '/api/webhooks/:id/deliveries', role: 'member', target: 'webhook' },
  { method: 'POST', path: '/api/webhooks/:id/test', role: 'admin', target: 'webhook', status: 202 },
  { method: 'POST', path: '/api/webhooks/:id/rotate-secret', role: 'admin', target: 'webhook', body: {} },
  {
    method: 'POST',
    path: '/api/webhooks/:id/deliveries/:delivery_id/redeliver',
    role: 'admin',
    target: 'webhook delivery',
    status: 202,
  },
];

export const isWrite = (e: Endpoint): boolean => e.method !== 'GET';

/** Creates objects for endpoints to act on, straight through the domain (no HTTP, no slow hash per user). */
export async function targetMaker(
  t: TestApp,
): Promise<(target: Target, workspaceId: string) => Promise<string>> {
  const passwordHash = await hashPassword(PASSWORD);
  const ctx = t.deps.credentials;
  return async (target, workspaceId) => {
    if (target === 'key') {
      return (await createApiKey(ctx, { workspaceId, name: 'target', scope: 'read' }, CLI_ACTOR)).credential
        .id;
    }
    if (target === 'user') {
      const input = {
        workspaceId,
        email: `${unique('target')}@acme.test`,
        password: PASSWORD,
        role: 'member' as const,
      };
      const now = t.clock.now();
      return (await t.deps.storage.transaction((tx) => insertUser(tx, input, passwordHash, CLI_ACTOR, now)))
        .id;
    }
    if (target === 'webhook' || target === 'webhook delivery') {
      const ctx = {
        storage: t.deps.storage,
        clock: t.clock,
        policy: { allowHttp: false, allowPrivate: false },
      };
      const endpoint = await createEndpoint(ctx, workspaceId, { url: WEBHOOK_URL, events: ['*'] }, CLI_ACTOR);
      if (target === 'webhook') return endpoint.id;
      return `${endpoint.id}/${(await sendTestEvent(ctx, workspaceId, endpoint.id, CLI_ACTOR)).id}`;
    }
    const row = await createIntegration(
      ctx,
      { workspaceId, name: 'target', scopes: ['boards:read'] },
      CLI_ACTOR,
    );
    if (target === 'tokened integration') await issueIntegrationToken(ctx, workspaceId, row.id, CLI_ACTOR);
    return row.id;
  };
}

/** The URL and body of one call; `id` replaces `:id` (a nested target, `parent/child`, fills both ids). */
export function request(e: Endpoint, id?: string): { url: string; body: unknown } {
  const [parent, child] = (id ?? '').split('/');
  return {
    url: id ? e.path.replace(':id', parent!).replace(/:[a-z]+_id/, child ?? '') : e.path,
    body: typeof e.body === 'function' ? (e.body as () => unknown)() : e.body,
  };
}

/** How many audit entries a workspace has: every change writes one, so a refused call must not add any. */
export async function auditCount(t: TestApp, workspaceId: string): Promise<number> {
  return (await t.deps.storage.audit.list(workspaceId, {}, { limit: 100_000 })).items.length;
}
