/** The service-token check: only the exact token matches, whatever its length or content. */
import { describe, expect, it } from 'vitest';
import { MAX_TOKEN_BYTES, TokenMatcher } from './token-match.ts';

describe('token matcher', () => {
  const token = 'svc_test_token_0123456789';
  const matcher = new TokenMatcher(token);

  it('accepts the token and nothing else', () => {
    expect(matcher.matches(token)).toBe(true);
    expect(matcher.matches(`${token}`.slice(0))).toBe(true);
    for (const other of [
      '',
      token.slice(0, -1),
      `${token}x`,
      `${token}\u0000`,
      token.replace('0', '1'),
      token.toUpperCase(),
      'x'.repeat(MAX_TOKEN_BYTES + 10),
      `${token}${'\u0000'.repeat(MAX_TOKEN_BYTES)}`,
    ]) {
      expect(matcher.matches(other)).toBe(false);
    }
  });

  it('handles multi-byte characters and tokens at the size limit', () => {
    const wide = 'é'.repeat(MAX_TOKEN_BYTES / 2);
    const m = new TokenMatcher(wide);
    expect(m.matches(wide)).toBe(true);
    expect(m.matches(`${wide.slice(0, -1)}e`)).toBe(false);
    expect(() => new TokenMatcher(`${wide}x`)).toThrow();
  });
});
