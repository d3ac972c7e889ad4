import { describe, expect, it } from 'vitest';
import { digestSecret, generateSecret } from '../core/secrets.ts';
import { SecretMemo } from './secret-memo.ts';

describe('SecretMemo', () => {
  it('answers the digest of whatever was presented, remembering only the last secret', () => {
    const memo = new SecretMemo();
    const a = generateSecret('spk_');
    const b = generateSecret('spk_');
    expect(a.length).toBe(b.length);
    for (const secret of [a, a, b, a, b, b, `${a}x`, a]) {
      expect(memo.digestOf(secret)).toBe(digestSecret(secret));
    }
  });

  it('tells apart secrets that differ in one character anywhere, or only above the low byte', () => {
    const memo = new SecretMemo();
    const a = generateSecret('spk_');
    memo.digestOf(a);
    for (let i = 0; i < a.length; i++) {
      const changed = a.slice(0, i) + (a[i] === 'Z' ? 'Y' : 'Z') + a.slice(i + 1);
      expect(memo.digestOf(changed)).toBe(digestSecret(changed));
      expect(memo.digestOf(a)).toBe(digestSecret(a));
    }
    // U+015A shares its low byte (0x5A, "Z") with "Z": a latin1 copy would confuse them.
    const wide = `${a.slice(0, -1)}\u015a`;
    const narrow = `${a.slice(0, -1)}Z`;
    expect(memo.digestOf(narrow)).toBe(digestSecret(narrow));
    expect(memo.digestOf(wide)).toBe(digestSecret(wide));
  });

  it('does not keep very long values, and forgets (zeroed) on clear', () => {
    const memo = new SecretMemo();
    const long = `spk_${'a'.repeat(500)}`;
    expect(memo.digestOf(long)).toBe(digestSecret(long));
    const a = generateSecret('spk_');
    memo.digestOf(a);
    memo.clear();
    const inside = memo as unknown as { remembered: Buffer; digest: string };
    expect(inside.remembered.every((byte) => byte === 0)).toBe(true);
    expect(inside.digest).toBe('');
    expect(memo.digestOf(a)).toBe(digestSecret(a));
  });
});
