/** Durations (`30d`) and rate limits (`1000/h`) as the CLI and plans files write them. */
import { describe, expect, it } from 'vitest';
import { formatRateLimit, parseDuration, parseRateLimit } from './durations.ts';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('durations', () => {
  it.each([
    ['1s', S],
    ['90s', 90 * S],
    ['5m', 5 * M],
    ['12h', 12 * H],
    ['30d', 30 * D],
    ['365d', 365 * D],
    [' 7d ', 7 * D],
  ])('%j is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    '',
    '3x',
    '30',
    'd',
    '0d',
    '0s',
    '-1h',
    '+1h',
    '1.5h',
    '1 h',
    '1H',
    '30days',
    'h30',
    '1d2h',
    '1e3s',
  ])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('rejects a number too large to be exact', () => {
    expect(parseDuration('99999999999999999999d')).toBeUndefined();
  });
});

describe('rate limits', () => {
  it.each([
    ['5/m', 5, M],
    ['1000/h', 1000, H],
    ['50000/1d', 50_000, D],
    ['10/s', 10, S],
    ['100/15m', 100, 15 * M],
    ['7/2h', 7, 2 * H],
    [' 5/m ', 5, M],
  ])('%j allows %i per window of %i ms', (text, limit, windowMs) => {
    expect(parseRateLimit(text)).toEqual({ limit, windowMs });
  });

  it.each([
    '',
    '3x',
    '10',
    '10/',
    '/h',
    '0/m',
    '-1/h',
    '1.5/h',
    '5/0m',
    '5/x',
    '5/-1h',
    '5 / m',
    '5/M',
    '5/hour',
    '5/m/h',
    'five/m',
    '99999999999999999999/h',
  ])('rejects %j', (text) => {
    expect(parseRateLimit(text)).toBeUndefined();
  });

  it.each([
    ['5/m', '5/m'],
    ['1000/h', '1000/h'],
    ['50000/1d', '50000/d'],
    ['100/15m', '100/15m'],
    ['7/2h', '7/2h'],
    ['3/90s', '3/90s'],
    ['60/60m', '60/h'],
  ])('%j formats as %j and parses back to the same limit', (text, formatted) => {
    const spec = parseRateLimit(text)!;
    expect(formatRateLimit(spec)).toBe(formatted);
    expect(parseRateLimit(formatRateLimit(spec))).toEqual(spec);
  });

  it('formats the largest whole unit of the window', () => {
    expect(formatRateLimit({ limit: 1, windowMs: 2 * D })).toBe('1/2d');
    expect(formatRateLimit({ limit: 1, windowMs: 36 * H })).toBe('1/36h');
    expect(formatRateLimit({ limit: 1, windowMs: S })).toBe('1/s');
  });
});
