/** Ids: a type prefix, sortable by creation time, unique. */
import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { deterministicEventId, hasIdPrefix, ID_PREFIXES, type IdKind, newId } from './ids.ts';

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
    const id = newId(kind, T);
    expect(id.startsWith(prefix)).toBe(true);
    expect(hasIdPrefix(id, kind)).toBe(true);
  });

  it('every kind has its own prefix', () => {
    const prefixes = Object.values(ID_PREFIXES);
    expect(new Set(prefixes).size).toBe(prefixes.length);
  });

  it('hasIdPrefix rejects another kind and a bare prefix without the underscore', () => {
    expect(hasIdPrefix(newId('board', T), 'post')).toBe(false);
    expect(hasIdPrefix('brdX', 'board')).toBe(false);
    expect(hasIdPrefix(newId('apiKey', T), 'integration')).toBe(false);
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

  it('embeds the time it is given: a ManualClock that moves makes later ids sort later', () => {
    const clock = new ManualClock(T);
    const first = newId('workspace', clock.now());
    clock.advance(1);
    const second = newId('workspace', clock.now());
    expect(first.slice(3, 12)).toBe(T.toString(36).padStart(9, '0'));
    expect(second > first).toBe(true);
  });

  it('a deterministic event id is the same for the same identity and time, and differs otherwise', () => {
    const id = deterministicEventId(T, 'budget:key_1:42');
    expect(id).toBe(deterministicEventId(T, 'budget:key_1:42'));
    expect(id).toMatch(/^evt_[0-9a-z]{21}$/);
    expect(id).not.toBe(deterministicEventId(T, 'budget:key_2:42'));
    expect(id).not.toBe(deterministicEventId(T + 1, 'budget:key_1:42'));
  });
});
