/** The service-token check: only the exact token matches, whatever its length or content. */
import { describe, expect, it } from 'vitest';
import { TokenMatcher } from './token-match.ts';

describe('token matcher', () => {
  const token = 'svc_test_token_0123456789';
  const matcher = new TokenMatcher(token);

  it('accepts the token and nothing else', () => {
    expect(matcher.matches(token)).toBe(true);
    for (const other of [
      '',
      token.slice(0, -1),
      `${token}x`,
      `${token}\u0000`,
      `${token.slice(0, -1)}\u0000`,
      token.replace('0', '1'),
      token.toUpperCase(),
      'x'.repeat(10_000),
    ]) {
      expect(matcher.matches(other)).toBe(false);
    }
  });

  it('forgets the previous call: a prefix of the token after the token itself does not match', () => {
    expect(matcher.matches(token)).toBe(true);
    expect(matcher.matches(token.slice(0, 10))).toBe(false);
    expect(matcher.matches(token)).toBe(true);
  });

  it('compares whole characters: one differing only above the low byte does not match', () => {
    // 'š' is U+0161: its low byte is that of 'a'; a one-byte encoding would take it for 'a'.
    const withA = 'svc_a_token_0123456789';
    expect(new TokenMatcher(withA).matches(withA.replace('a', '\u0161'))).toBe(false);
    expect(new TokenMatcher(withA.replace('a', '\u0161')).matches(withA)).toBe(false);
  });

  it('compares characters: multi-byte characters are compared as themselves', () => {
    const wide = 'é'.repeat(20);
    const m = new TokenMatcher(wide);
    expect(m.matches(wide)).toBe(true);
    expect(m.matches(`${wide.slice(0, -1)}e`)).toBe(false);
    expect(m.matches('e'.repeat(40))).toBe(false);
  });
});
