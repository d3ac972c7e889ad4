/** Ids: a type prefix, sortable by creation time, unique. */
import { describe, expect, it } from 'vitest';
import { hasIdPrefix, ID_PREFIXES, type IdKind, newId } from './ids.ts';

const T = Date.parse('2026-01-01T00:00:00Z');

describe('ids', () => {
  it.each([
    ['workspace', 'ws_'],
    ['board', 'brd_'],
    ['post', 'pst_'],
    ['vote', 'vot_'],
    ['apiKey', 'key_'],
    ['integration', 'int_'],
    ['webhook', 'whk_'],
    ['event', 'evt_'],
    ['user', 'usr_'],
  ] as [IdKind, string][])('a %s id starts with %s', (kind, prefix) => {
    const id = newId(kind);
    expect(id.startsWith(prefix)).toBe(true);
    expect(hasIdPrefix(id, kind)).toBe(true);
  });

  it('every kind has its own prefix', () => {
    const prefixes = Object.values(ID_PREFIXES);
    expect(new Set(prefixes).size).toBe(prefixes.length);
  });

  it('hasIdPrefix rejects another kind and a bare prefix without the underscore', () => {
    expect(hasIdPrefix(newId('board'), 'post')).toBe(false);
    expect(hasIdPrefix('brdX', 'board')).toBe(false);
    expect(hasIdPrefix(newId('apiKey'), 'integration')).toBe(false);
  });

  it('is lowercase alphanumerics after the prefix, of a fixed length', () => {
    const a = newId('post', T);
    const b = newId('post', T + 86_400_000 * 365 * 10);
    expect(a).toMatch(/^pst_[0-9a-z]{21}$/);
    expect(b).toHaveLength(a.length);
  });

  it('sorts by creation time, as plain strings', () => {
    const times = [T, T + 1, T + 999, T + 60_000, T + 86_400_000, T + 86_400_000 * 3650];
    const ids = times.map((t) => newId('board', t));
    expect([...ids].reverse().sort()).toEqual(ids);
  });

  it('sorts by creation time across the whole range of realistic clocks', () => {
    // Past 2059 the millisecond clock needs a 9th base36 digit; padding keeps the order across it.
    const times = [Date.parse('1973-01-01'), Date.parse('2000-01-01'), T, Date.parse('2100-01-01')];
    const ids = times.map((t) => newId('vote', t));
    expect([...ids].sort()).toEqual(ids);
  });

  it('10000 ids created in the same millisecond are unique', () => {
    const ids = Array.from({ length: 10_000 }, () => newId('event', T));
    expect(new Set(ids).size).toBe(10_000);
  });

  it('uses the current time when none is given', () => {
    const timePart = (id: string) => id.slice('ws_'.length, 'ws_'.length + 9);
    const before = newId('workspace', Date.now());
    const id = newId('workspace');
    const after = newId('workspace', Date.now());
    expect(timePart(id) >= timePart(before)).toBe(true);
    expect(timePart(id) <= timePart(after)).toBe(true);
  });
});
