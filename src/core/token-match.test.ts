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
      token.slice(0, -1) + '\u0000',
      token.replace('0', '1'),
      token.toUpperCase(),
      'x'.repeat(10_000),
    ]) {
      expect(matcher.matches(other)).toBe(false);
    }
  });

  it('compares bytes: multi-byte characters count as what they encode to', () => {
    const wide = 'é'.repeat(20);
    const m = new TokenMatcher(wide);
    expect(m.matches(wide)).toBe(true);
    expect(m.matches(`${wide.slice(0, -1)}e`)).toBe(false);
    expect(m.matches('e'.repeat(40))).toBe(false);
  });
});
