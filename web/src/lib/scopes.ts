/**
 * Scopes in the dashboard. Which resources exist is the server's scope catalogue (GET /api/scopes,
 * the operator's KEYWARD_SCOPES file): fetched once per page load and shared by every picker.
 */
import { type ApiKeyScope, api, type ScopeCatalogueView } from '../api.ts';
import { type Resource, useResource } from './use-resource.ts';

let catalogue: Promise<ScopeCatalogueView> | undefined;

/** The catalogue, loaded on first use; a failed load is tried again next time. */
export function loadScopeCatalogue(): Promise<ScopeCatalogueView> {
  catalogue ??= api.scopes().catch((err: unknown) => {
    catalogue = undefined;
    throw err;
  });
  return catalogue;
}

export function useScopeCatalogue(): Resource<ScopeCatalogueView> {
  return useResource(loadScopeCatalogue, []);
}

/** Write on a resource also satisfies read on it, so a picked write makes the read redundant. */
export function normalizeScopes(scopes: Iterable<string>): string[] {
  const set = new Set(scopes);
  for (const scope of set)
    if (scope.endsWith(':write')) set.delete(`${scope.slice(0, -':write'.length)}:read`);
  return [...set];
}

export const API_KEY_SCOPE_INFO = {
  read: { label: 'Read only', description: 'Every read endpoint of the API, for every resource.' },
  'read:write': {
    label: 'Read and write',
    description: 'Everything an API key can do: read, create, edit and delete.',
  },
} as const satisfies Record<ApiKeyScope, { label: string; description: string }>;

export const apiKeyScopeLabel = (scope: string) =>
  scope in API_KEY_SCOPE_INFO ? API_KEY_SCOPE_INFO[scope as ApiKeyScope].label : scope;
