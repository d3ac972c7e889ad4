/**
 * A constant-time check of a presented bearer token against one configured token (the service
 * token of /v1/keys/verify), without hashing per request. The presented token is written into a
 * buffer the size of the expected one and compared there, so the time taken depends only on the
 * expected token's length (fixed per server), never on where the two differ.
 */
import { timingSafeEqual } from 'node:crypto';

export class TokenMatcher {
  private readonly expected: Buffer;
  // One scratch buffer: the check is synchronous, so calls never overlap.
  private readonly presented: Buffer;

  constructor(token: string) {
    this.expected = Buffer.from(token);
    this.presented = Buffer.alloc(this.expected.length);
  }

  matches(token: string): boolean {
    this.presented.fill(0);
    this.presented.write(token); // cut at the buffer's end; a longer token fails on its byte count
    const same = timingSafeEqual(this.presented, this.expected);
    return same && Buffer.byteLength(token) === this.expected.length;
  }
}
