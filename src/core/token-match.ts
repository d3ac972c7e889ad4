/**
 * A constant-time check of a presented bearer token against one configured token (the service
 * token of /v1/keys/verify), without hashing per request. The presented token is written, as UTF-16
 * (lossless for any string, and a plain copy for the usual one-byte strings: no UTF-8 length pass),
 * into a buffer the size of the expected one and compared there, so the time taken depends only on
 * the expected token's length (fixed per server), never on where the two differ.
 */
import { timingSafeEqual } from 'node:crypto';

export class TokenMatcher {
  private readonly chars: number;
  private readonly expected: Buffer;
  // One scratch buffer: the check is synchronous, so calls never overlap.
  private readonly presented: Buffer;

  constructor(token: string) {
    this.chars = token.length;
    this.expected = Buffer.from(token, 'utf16le');
    this.presented = Buffer.alloc(this.expected.length);
  }

  matches(token: string): boolean {
    this.presented.fill(0); // a shorter token must not meet the previous call's bytes
    this.presented.write(token, 0, 'utf16le'); // cut at the buffer's end: a longer token fails below
    const same = timingSafeEqual(this.presented, this.expected);
    return same && token.length === this.chars;
  }
}
