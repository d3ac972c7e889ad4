/**
 * The scopes an integration can hold, grouped by resource, and the endpoints each one opens. Typed by
 * the server's scope enum, so a new scope fails the dashboard's type-check until it is described here.
 */
import type { ApiKeyScope, IntegrationScope } from '../api.ts';

export interface ScopeInfo {
  label: string;
  endpoints: string[];
}

export const SCOPES = {
  'boards:read': { label: 'Read boards', endpoints: ['GET /v1/boards', 'GET /v1/boards/{id}'] },
  'boards:write': {
    label: 'Create, edit and delete boards',
    endpoints: ['POST /v1/boards', 'PATCH /v1/boards/{id}', 'DELETE /v1/boards/{id}'],
  },
  'posts:read': { label: 'Read posts', endpoints: ['GET /v1/boards/{id}/posts', 'GET /v1/posts/{id}'] },
  'posts:write': {
    label: 'Create, edit and delete posts',
    endpoints: ['POST /v1/boards/{id}/posts', 'PATCH /v1/posts/{id}', 'DELETE /v1/posts/{id}'],
  },
  'votes:read': { label: 'Read votes', endpoints: ['GET /v1/posts/{id}/votes'] },
  'votes:write': {
    label: 'Vote and remove votes',
    endpoints: ['POST /v1/posts/{id}/votes', 'DELETE /v1/votes/{id}'],
  },
  'webhooks:read': {
    label: 'Read webhooks and deliveries',
    endpoints: ['GET /v1/webhooks', 'GET /v1/webhooks/{id}', 'GET /v1/webhooks/{id}/deliveries'],
  },
  'webhooks:write': {
    label: 'Create, edit and delete webhooks',
    endpoints: ['POST /v1/webhooks', 'PATCH /v1/webhooks/{id}', 'DELETE /v1/webhooks/{id}'],
  },
} as const satisfies Record<IntegrationScope, ScopeInfo>;

export const RESOURCES = [
  { id: 'boards', label: 'Boards' },
  { id: 'posts', label: 'Posts' },
  { id: 'votes', label: 'Votes' },
  { id: 'webhooks', label: 'Webhooks' },
] as const;

export type ResourceId = (typeof RESOURCES)[number]['id'];

export const scopeOf = (resource: ResourceId, action: 'read' | 'write') => `${resource}:${action}` as const;

export const isIntegrationScope = (scope: string): scope is IntegrationScope => scope in SCOPES;

/** Write on a resource also satisfies read on it, so a picked write makes the read redundant. */
export function normalizeScopes(scopes: Iterable<IntegrationScope>): IntegrationScope[] {
  const set = new Set(scopes);
  for (const { id } of RESOURCES) if (set.has(scopeOf(id, 'write'))) set.delete(scopeOf(id, 'read'));
  return Object.keys(SCOPES).filter((s): s is IntegrationScope => set.has(s as IntegrationScope));
}

export const API_KEY_SCOPE_INFO = {
  read: { label: 'Read only', description: 'Every GET endpoint: boards, posts and votes.' },
  'read:write': {
    label: 'Read and write',
    description: 'Everything an API key can do: read, create, edit and delete.',
  },
} as const satisfies Record<ApiKeyScope, { label: string; description: string }>;

export const apiKeyScopeLabel = (scope: string) =>
  scope in API_KEY_SCOPE_INFO ? API_KEY_SCOPE_INFO[scope as ApiKeyScope].label : scope;
