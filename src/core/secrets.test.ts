/** Secrets: the documented format, a checksum anyone can recompute, and hashes that never reveal them. */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { generateSecret, hashSecret, isWellFormedSecret, startOf } from './secrets.ts';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PREFIXES = ['spk_', 'spi_'];

/** The checksum as DESIGN.md states it, written independently of the code under test. */
function expectedChecksum(head: string): string {
  let n = crc32(head);
  let out = '';
  while (n > 0) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out.padStart(6, '0');
}

/** Replaces the character at `i` with a different base62 character. */
function typo(secret: string, i: number): string {
  const c = secret[i]!;
  const other = ALPHABET[(ALPHABET.indexOf(c) + 1) % 62]!;
  return secret.slice(0, i) + other + secret.slice(i + 1);
}

describe('secret format', () => {
  it('is <prefix><32 base62><6 base62 CRC32 of everything before>', () => {
    const secret = generateSecret('spk_');
    expect(secret).toMatch(/^spk_[0-9A-Za-z]{38}$/);
    const head = secret.slice(0, -6);
    expect(head).toHaveLength(4 + 32);
    expect(secret.slice(-6)).toBe(expectedChecksum(head));
  });

  it('the checksum is zero-padded to 6 characters when the CRC is small', () => {
    // About one secret in five has a CRC32 below 62^5, whose base62 form has only 5 digits.
    let secret = generateSecret('spk_');
    while (crc32(secret.slice(0, -6)) >= 62 ** 5) secret = generateSecret('spk_');
    expect(secret).toHaveLength(4 + 32 + 6);
    expect(secret.slice(-6)).toMatch(/^0/);
    expect(secret.slice(-6)).toBe(expectedChecksum(secret.slice(0, -6)));
  });

  it('1000 generated secrets are distinct and all well-formed', () => {
    const secrets = Array.from({ length: 1000 }, () => generateSecret('spk_'));
    expect(new Set(secrets).size).toBe(1000);
    for (const s of secrets) {
      expect(s).toMatch(/^spk_[0-9A-Za-z]{38}$/);
      expect(s.slice(-6)).toBe(expectedChecksum(s.slice(0, -6)));
      expect(isWellFormedSecret(s, PREFIXES)).toBe(true);
    }
  });

  it('the random part uses the whole base62 alphabet', () => {
    const seen = new Set(Array.from({ length: 200 }, () => generateSecret('spk_').slice(4, 36)).join(''));
    expect(seen.size).toBe(62);
  });
});

describe('a well-formed secret is recognised without a lookup', () => {
  it('accepts generated secrets of each configured prefix', () => {
    expect(isWellFormedSecret(generateSecret('spk_'), PREFIXES)).toBe(true);
    expect(isWellFormedSecret(generateSecret('spi_'), PREFIXES)).toBe(true);
  });

  it('rejects a one-character typo anywhere in the body or checksum', () => {
    const secret = generateSecret('spk_');
    for (let i = 4; i < secret.length; i++) {
      expect(isWellFormedSecret(typo(secret, i), PREFIXES), `typo at ${i}`).toBe(false);
    }
  });

  it('rejects two swapped adjacent characters', () => {
    let secret = generateSecret('spk_');
    while (secret[10] === secret[11]) secret = generateSecret('spk_');
    const swapped = `${secret.slice(0, 10)}${secret[11]}${secret[10]}${secret.slice(12)}`;
    expect(isWellFormedSecret(swapped, PREFIXES)).toBe(false);
  });

  it('rejects a made-up key of the right shape', () => {
    expect(isWellFormedSecret(`spk_${'a'.repeat(38)}`, PREFIXES)).toBe(false);
  });

  it('rejects a secret with a prefix it was not configured with', () => {
    const secret = generateSecret('sk_');
    expect(isWellFormedSecret(secret, PREFIXES)).toBe(false);
    expect(isWellFormedSecret(secret, ['sk_'])).toBe(true);
  });

  it('rejects a valid body under a swapped prefix (the checksum covers the prefix)', () => {
    const secret = generateSecret('spk_');
    expect(isWellFormedSecret(`spi_${secret.slice(4)}`, PREFIXES)).toBe(false);
  });

  it('rejects the wrong length: one character short or long', () => {
    const secret = generateSecret('spk_');
    expect(isWellFormedSecret(secret.slice(0, -1), PREFIXES)).toBe(false);
    expect(isWellFormedSecret(`${secret}a`, PREFIXES)).toBe(false);
    const head = `spk_${'A'.repeat(31)}`;
    expect(isWellFormedSecret(head + expectedChecksum(head), PREFIXES)).toBe(false);
  });

  it('rejects non-base62 characters even with a matching checksum', () => {
    for (const bad of ['-', '_', '+', '/', '=', ' ', 'é']) {
      const head = `spk_${'A'.repeat(31)}${bad}`;
      expect(isWellFormedSecret(head + expectedChecksum(head), PREFIXES), JSON.stringify(bad)).toBe(false);
    }
  });

  it('rejects empty and whitespace-padded input', () => {
    const secret = generateSecret('spk_');
    expect(isWellFormedSecret('', PREFIXES)).toBe(false);
    expect(isWellFormedSecret(` ${secret}`, PREFIXES)).toBe(false);
    expect(isWellFormedSecret(`${secret}\n`, PREFIXES)).toBe(false);
  });
});

describe('what is stored about a secret', () => {
  it('the hash is the sha256 of the secret in lowercase hex', () => {
    const secret = generateSecret('spk_');
    const hash = hashSecret(secret);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(hash).not.toContain(secret.slice(4, 12));
  });

  it('different secrets hash differently; the same secret always hashes the same', () => {
    const a = generateSecret('spk_');
    const b = generateSecret('spk_');
    expect(hashSecret(a)).toBe(hashSecret(a));
    expect(hashSecret(a)).not.toBe(hashSecret(b));
  });

  it('start is the 8 characters after the prefix', () => {
    const secret = generateSecret('spk_');
    expect(startOf(secret, 'spk_')).toBe(secret.slice(4, 12));
    expect(startOf('spi_ABCDEFGHrest', 'spi_')).toBe('ABCDEFGH');
    expect(startOf('longprefix_12345678rest', 'longprefix_')).toBe('12345678');
  });
});
