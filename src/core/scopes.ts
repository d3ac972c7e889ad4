/**
 * The rule that decides whether held scopes satisfy a required one. Which resources exist is the
 * scope catalogue's business (catalogue.ts); the rule is the same for every resource.
 */
import type { Action } from './catalogue.ts';

export type { Action } from './catalogue.ts';
export type RequiredScope = `${string}:${Action}`;

/** Scopes an API key can hold: over every resource of the catalogue. */
export const API_KEY_SCOPES = ['read', 'read:write'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export function scopeSatisfies(held: readonly string[], required: RequiredScope): boolean {
  if (held.includes('read:write') || held.includes(required)) return true;
  const colon = required.lastIndexOf(':');
  const resource = required.slice(0, colon);
  if (required.slice(colon + 1) === 'read')
    return held.includes('read') || held.includes(`${resource}:write`);
  return false;
}
