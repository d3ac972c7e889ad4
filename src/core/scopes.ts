/** The scope catalogue and the rule that decides whether held scopes satisfy a required one. */

export const RESOURCES = ['boards', 'posts', 'votes', 'webhooks'] as const;
export type Resource = (typeof RESOURCES)[number];
export type Action = 'read' | 'write';
export type RequiredScope = `${Resource}:${Action}`;

/** Scopes an API key can hold. */
export const API_KEY_SCOPES = ['read', 'read:write'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Granular scopes an integration can hold. */
export const GRANULAR_SCOPES: readonly RequiredScope[] = RESOURCES.flatMap((r) => [
  `${r}:read` as const,
  `${r}:write` as const,
]);

export function isGranularScope(scope: string): scope is RequiredScope {
  return (GRANULAR_SCOPES as readonly string[]).includes(scope);
}

export function scopeSatisfies(held: readonly string[], required: RequiredScope): boolean {
  if (held.includes('read:write') || held.includes(required)) return true;
  const [resource, action] = required.split(':') as [Resource, Action];
  if (action === 'read') return held.includes('read') || held.includes(`${resource}:write`);
  return false;
}
