/**
 * The dashboard's client of the management API: typed from the server's own schemas, it sends the
 * session's CSRF token on state-changing calls and turns error envelopes into sentences for people.
 */
import type * as M from '../../src/contract/management.ts';
import { PRODUCT_NAME } from './lib/product.ts';

export type * from '../../src/contract/management.ts';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
type Query = Record<string, string | number | undefined>;

/** A failed call, with a message meant for the person using the dashboard. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: M.ErrorCode | 'ERR_NETWORK' | 'ERR_UNEXPECTED',
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

// The CSRF token lives in memory only: it comes back with every GET /api/session after a reload.
let csrfToken: string | undefined;
let sessionEnded: (() => void) | undefined;

export function rememberSession(session: M.Session | undefined): void {
  csrfToken = session?.csrf_token;
}

/** Called when a signed-in call answers 401: the session expired or was ended elsewhere. */
export function onSessionEnded(handler: () => void): void {
  sessionEnded = handler;
}

const FIELD_NAMES: Record<string, string> = {
  workspace_name: 'Workspace name',
  rate_limit: 'Rate limit',
  expires_at: 'Expiry',
  grace_seconds: 'Grace period',
  inactive_expiry_days: 'Inactivity window',
  alert_budget_percent: 'Budget alert',
  alert_error_rate_percent: 'Error-rate alert',
  alert_error_rate_min_requests: 'Minimum requests',
  url: 'URL',
  overlap_seconds: 'Overlap',
};

const humanField = (key: string) =>
  FIELD_NAMES[key] ?? key.charAt(0).toUpperCase() + key.slice(1).replaceAll('_', ' ');

function validationMessage(details: Record<string, unknown> | undefined, fallback: string): string {
  const issues = Array.isArray(details?.issues)
    ? (details.issues as { path?: unknown[]; message?: string }[])
    : [];
  const lines = issues.slice(0, 3).map((issue) => {
    const field = (issue.path ?? []).filter((p): p is string => typeof p === 'string').at(-1);
    const text = issue.message ?? 'is not valid';
    return field ? `${humanField(field)}: ${text}` : text;
  });
  return lines.length ? `${lines.join('. ')}.` : fallback;
}

function toApiError(status: number, statusText: string, body: unknown, retryAfter: string | null): ApiError {
  const error = (body as { error?: M.ApiErrorBody } | undefined)?.error;
  if (!error || typeof error.code !== 'string') {
    return new ApiError(
      status,
      'ERR_UNEXPECTED',
      `The server answered ${status} ${statusText}. Try again in a moment.`,
    );
  }
  const { code, details } = error;
  const role = typeof details?.required_role === 'string' ? details.required_role : undefined;
  const message = (() => {
    switch (code) {
      case 'ERR_VALIDATION':
        return validationMessage(details, error.message);
      case 'ERR_FORBIDDEN':
        return role
          ? `Only ${role === 'owner' ? 'owners' : 'admins and owners'} can do this.`
          : error.message;
      case 'ERR_RATE_LIMITED':
        return retryAfter ? `${error.message} Try again in ${retryAfter} seconds.` : error.message;
      case 'ERR_INTERNAL':
        return 'Something went wrong on the server. Try again; if it keeps happening, check the server log.';
      case 'ERR_UNAVAILABLE':
        return "The server can't reach its database right now. Try again in a few seconds.";
      default:
        return error.message;
    }
  })();
  return new ApiError(status, code, message, details);
}

async function call<T>(
  method: Method,
  path: string,
  options: { body?: unknown; query?: Query } = {},
): Promise<T> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(options.query ?? {}))
    if (v !== undefined && v !== '') params.set(k, String(v));
  const url = params.size ? `${path}?${params}` : path;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(
      0,
      'ERR_NETWORK',
      `Couldn't reach the ${PRODUCT_NAME} server. Check your connection and try again.`,
    );
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = toApiError(response.status, response.statusText, body, response.headers.get('retry-after'));
    const signingIn = path === '/api/session' && method === 'POST';
    if (error.status === 401 && !signingIn && path !== '/api/setup') sessionEnded?.();
    throw error;
  }
  return body as T;
}

const data = async <T>(promise: Promise<M.Data<T>>): Promise<T> => (await promise).data;
const id = encodeURIComponent;

export const api = {
  setupStatus: () => data(call<M.Data<M.SetupStatus>>('GET', '/api/setup')),
  setup: (body: M.SetupBody) => data(call<M.Data<M.Session>>('POST', '/api/setup', { body })),
  session: () => data(call<M.Data<M.Session>>('GET', '/api/session')),
  signIn: (body: M.SignInBody) => data(call<M.Data<M.Session>>('POST', '/api/session', { body })),
  signOut: () => data(call<M.Data<M.SignedOut>>('DELETE', '/api/session')),
  switchWorkspace: (workspaceId: string) =>
    data(call<M.Data<M.Session>>('PATCH', '/api/session', { body: { workspace_id: workspaceId } })),

  workspace: () => data(call<M.Data<M.Workspace>>('GET', '/api/workspace')),
  updateWorkspace: (body: M.PatchWorkspaceBody) =>
    data(call<M.Data<M.Workspace>>('PATCH', '/api/workspace', { body })),
  users: () => call<M.UserList>('GET', '/api/users'),
  addUser: (body: M.CreateUserBody) => data(call<M.Data<M.User>>('POST', '/api/users', { body })),
  changeRole: (userId: string, body: M.PatchUserBody) =>
    data(call<M.Data<M.User>>('PATCH', `/api/users/${id(userId)}`, { body })),
  removeUser: (userId: string) => data(call<M.Data<M.Deleted>>('DELETE', `/api/users/${id(userId)}`)),

  keys: (query: { limit?: number; cursor?: string } = {}) =>
    call<M.CredentialPage>('GET', '/api/keys', { query }),
  key: (keyId: string) => data(call<M.Data<M.Credential>>('GET', `/api/keys/${id(keyId)}`)),
  createKey: (body: M.CreateKeyBody) =>
    data(call<M.Data<M.CredentialWithSecret>>('POST', '/api/keys', { body })),
  revokeKey: (keyId: string) => data(call<M.Data<M.Credential>>('POST', `/api/keys/${id(keyId)}/revoke`)),
  expireKey: (keyId: string, body: M.ExpireBody = {}) =>
    data(call<M.Data<M.Credential>>('POST', `/api/keys/${id(keyId)}/expire`, { body })),
  deleteKey: (keyId: string) => data(call<M.Data<M.Deleted>>('DELETE', `/api/keys/${id(keyId)}`)),

  integrations: (query: { limit?: number; cursor?: string } = {}) =>
    call<M.CredentialPage>('GET', '/api/integrations', { query }),
  integration: (intId: string) => data(call<M.Data<M.Credential>>('GET', `/api/integrations/${id(intId)}`)),
  createIntegration: (body: M.CreateIntegrationBody) =>
    data(call<M.Data<M.Credential>>('POST', '/api/integrations', { body })),
  updateIntegration: (intId: string, body: M.PatchIntegrationBody) =>
    data(call<M.Data<M.Credential>>('PATCH', `/api/integrations/${id(intId)}`, { body })),
  deleteIntegration: (intId: string) =>
    data(call<M.Data<M.Deleted>>('DELETE', `/api/integrations/${id(intId)}`)),
  issueToken: (intId: string) =>
    data(call<M.Data<M.CredentialWithSecret>>('POST', `/api/integrations/${id(intId)}/token`)),
  rotate: (intId: string, body: M.RotateBody) =>
    data(call<M.Data<M.RotatedCredential>>('POST', `/api/integrations/${id(intId)}/rotate`, { body })),
  expireIntegration: (intId: string, body: M.ExpireBody = {}) =>
    data(call<M.Data<M.Credential>>('POST', `/api/integrations/${id(intId)}/expire`, { body })),

  credentialUsage: (credId: string, query: M.SeriesQuery) =>
    data(call<M.Data<M.UsageSeries>>('GET', `/api/credentials/${id(credId)}/usage`, { query })),
  requests: (credId: string, query: M.RequestsQuery) =>
    call<M.RequestLogPage>('GET', `/api/credentials/${id(credId)}/requests`, { query }),
  workspaceUsage: (query: M.SeriesQuery) => data(call<M.Data<M.UsageSeries>>('GET', '/api/usage', { query })),
  scopes: () => data(call<M.Data<M.ScopeCatalogueView>>('GET', '/api/scopes')),
  auditLog: (query: M.AuditQuery) => call<M.AuditPage>('GET', '/api/audit-log', { query }),
  alerts: (query: { limit?: number; cursor?: string } = {}) =>
    call<M.AlertPage>('GET', '/api/alerts', { query }),

  webhooks: (query: { limit?: number; cursor?: string } = {}) =>
    call<M.WebhookEndpointPage>('GET', '/api/webhooks', { query }),
  webhook: (hookId: string) => data(call<M.Data<M.WebhookEndpoint>>('GET', `/api/webhooks/${id(hookId)}`)),
  createWebhook: (body: M.CreateWebhookBody) =>
    data(call<M.Data<M.WebhookEndpointWithSecret>>('POST', '/api/webhooks', { body })),
  updateWebhook: (hookId: string, body: M.PatchWebhookBody) =>
    data(call<M.Data<M.WebhookEndpoint>>('PATCH', `/api/webhooks/${id(hookId)}`, { body })),
  deleteWebhook: (hookId: string) => data(call<M.Data<M.Deleted>>('DELETE', `/api/webhooks/${id(hookId)}`)),
  rotateWebhookSecret: (hookId: string, body: M.RotateWebhookSecretBody = {}) =>
    data(
      call<M.Data<M.WebhookEndpointWithSecret>>('POST', `/api/webhooks/${id(hookId)}/rotate-secret`, {
        body,
      }),
    ),
  deliveries: (hookId: string, query: M.DeliveriesQuery) =>
    call<M.WebhookDeliveryPage>('GET', `/api/webhooks/${id(hookId)}/deliveries`, { query }),
  sendTestEvent: (hookId: string) =>
    data(call<M.Data<M.WebhookDelivery>>('POST', `/api/webhooks/${id(hookId)}/test`)),
  redeliver: (hookId: string, deliveryId: string) =>
    data(
      call<M.Data<M.WebhookDelivery>>(
        'POST',
        `/api/webhooks/${id(hookId)}/deliveries/${id(deliveryId)}/redeliver`,
      ),
    ),
};
