/** Base62 encoding of random bytes and integers, used by secrets and their checksums. */
import { randomBytes } from 'node:crypto';

export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `n` characters drawn uniformly from the alphabet (rejection sampling avoids modulo bias). */
export function randomString(n: number, alphabet: string = BASE62): string {
  const max = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < n) {
    for (const byte of randomBytes(n * 2)) {
      if (byte < max) out += alphabet[byte % alphabet.length];
      if (out.length === n) break;
    }
  }
  return out;
}

export function encodeBase62(value: number, width: number): string {
  let v = value;
  let out = '';
  do {
    out = BASE62[v % 62] + out;
    v = Math.floor(v / 62);
  } while (v > 0);
  return out.padStart(width, '0');
}
