import { describe, expect, it } from 'vitest';
import { bearerSecret } from './auth.ts';

describe('bearerSecret', () => {
  it('takes the exact form and the scheme in any case with spaces around', () => {
    expect(bearerSecret('Bearer spk_abc123')).toBe('spk_abc123');
    expect(bearerSecret('bearer spk_abc123')).toBe('spk_abc123');
    expect(bearerSecret('BEARER   spk_abc123  ')).toBe('spk_abc123');
    expect(bearerSecret('Bearer \tspk_abc123')).toBe('spk_abc123');
    expect(bearerSecret('Bearer spk_abc123\t')).toBe('spk_abc123');
    // Non-ASCII is not whitespace: such a secret is passed on (and then fails verification).
    expect(bearerSecret('Bearer spk_é')).toBe('spk_é');
  });

  it('refuses other schemes, a missing secret and a secret with whitespace inside', () => {
    for (const header of [
      '',
      'Bearer',
      'Bearer ',
      'Bearer  ',
      'Basic abc',
      'Bearerspk_abc',
      'Bearer a b',
      'Bearer a\u00a0b',
    ]) {
      expect(bearerSecret(header), JSON.stringify(header)).toBeUndefined();
    }
  });
});
