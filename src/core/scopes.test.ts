/** The scope rule from DESIGN.md, as a table: which held scopes satisfy which required scope. */
import { describe, expect, it } from 'vitest';
import { GRANULAR_SCOPES, isGranularScope, RESOURCES, type RequiredScope, scopeSatisfies } from './scopes.ts';

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

describe('scope catalogue', () => {
  it('has read and write for each of boards, posts, votes, webhooks', () => {
    expect([...RESOURCES]).toEqual(['boards', 'posts', 'votes', 'webhooks']);
    expect(GRANULAR_SCOPES).toHaveLength(8);
    for (const r of RESOURCES) {
      expect(GRANULAR_SCOPES).toContain(`${r}:read`);
      expect(GRANULAR_SCOPES).toContain(`${r}:write`);
    }
  });

  it('recognises granular scopes and nothing else', () => {
    expect(isGranularScope('boards:read')).toBe(true);
    expect(isGranularScope('webhooks:write')).toBe(true);
    for (const s of ['read', 'read:write', 'boards', 'boards:delete', 'users:read', '', 'Boards:read']) {
      expect(isGranularScope(s), s).toBe(false);
    }
  });
});
