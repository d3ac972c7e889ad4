/** The scope rule from DESIGN.md, as a table: which held scopes satisfy which required scope. */
import { describe, expect, it } from 'vitest';
import { buildCatalogue, DEFAULT_CATALOGUE } from './catalogue.ts';
import { type RequiredScope, scopeSatisfies } from './scopes.ts';

const GRANULAR_SCOPES = DEFAULT_CATALOGUE.scopes as RequiredScope[];
const RESOURCES = DEFAULT_CATALOGUE.resources.map((r) => r.name);

type Row = [held: string[], required: RequiredScope, satisfied: boolean];

const table: Row[] = [
  // read:write satisfies everything.
  ...GRANULAR_SCOPES.map((s): Row => [['read:write'], s, true]),
  // read satisfies every X:read and no X:write.
  ...RESOURCES.map((r): Row => [['read'], `${r}:read`, true]),
  ...RESOURCES.map((r): Row => [['read'], `${r}:write`, false]),
  // The exact scope.
  ...GRANULAR_SCOPES.map((s): Row => [[s], s, true]),
  // resource:write satisfies resource:read of the same resource.
  ...RESOURCES.map((r): Row => [[`${r}:write`], `${r}:read`, true]),
  // resource:read never satisfies resource:write.
  ...RESOURCES.map((r): Row => [[`${r}:read`], `${r}:write`, false]),
  // Another resource's scopes never help.
  [['posts:write'], 'boards:read', false],
  [['posts:write'], 'boards:write', false],
  [['boards:read'], 'posts:read', false],
  [['votes:write', 'posts:read'], 'boards:read', false],
  [['votes:write', 'posts:read'], 'votes:read', true],
  [['votes:write', 'posts:read'], 'posts:read', true],
  [['votes:write', 'posts:read'], 'posts:write', false],
  // Nothing held, nothing satisfied.
  [[], 'boards:read', false],
  [[], 'webhooks:write', false],
  // Strings that are not scopes grant nothing.
  [['write'], 'boards:write', false],
  [['*'], 'boards:read', false],
  [['boards'], 'boards:read', false],
  [['READ'], 'boards:read', false],
  [['read:write '], 'boards:write', false],
  [['boards:write:read'], 'boards:read', false],
];

describe('scope rule', () => {
  it.each(table)('held %j, required %s → %s', (held, required, satisfied) => {
    expect(scopeSatisfies(held, required)).toBe(satisfied);
  });

  it('a read key cannot write anything', () => {
    for (const s of GRANULAR_SCOPES.filter((x) => x.endsWith(':write'))) {
      expect(scopeSatisfies(['read'], s)).toBe(false);
    }
  });
});

describe("an operator's catalogue", () => {
  it('follows the same rule for its own resources, including names with underscores', () => {
    const catalogue = buildCatalogue({
      demo_api: false,
      resources: { contact_lists: { title: 'Contact lists', read: 'Read', write: 'Write' } },
    });
    expect(catalogue.scopes).toContain('contact_lists:write');
    expect(scopeSatisfies(['contact_lists:write'], 'contact_lists:read')).toBe(true);
    expect(scopeSatisfies(['read'], 'contact_lists:read')).toBe(true);
    expect(scopeSatisfies(['read'], 'contact_lists:write')).toBe(false);
    expect(scopeSatisfies(['contacts:write'], 'contact_lists:read')).toBe(false);
  });
});
