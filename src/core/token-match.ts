/**
 * A constant-time check of a presented bearer token against one configured token (the service
 * token of /v1/keys/verify), without hashing per request: both sit zero-padded in buffers of one
 * fixed size, so neither the comparison's time nor its work depends on where, or whether in length,
 * the two differ.
 */
import { timingSafeEqual } from 'node:crypto';

/** The longest token the configuration accepts, in bytes. */
export const MAX_TOKEN_BYTES = 512;

export class TokenMatcher {
  private readonly expected = Buffer.alloc(MAX_TOKEN_BYTES);
  private readonly expectedBytes: number;
  // One scratch buffer: the check is synchronous, so calls never overlap.
  private readonly presented = Buffer.alloc(MAX_TOKEN_BYTES);

  constructor(token: string) {
    this.expectedBytes = Buffer.byteLength(token);
    if (this.expectedBytes > MAX_TOKEN_BYTES) throw new Error(`a token is at most ${MAX_TOKEN_BYTES} bytes`);
    this.expected.write(token);
  }

  matches(token: string): boolean {
    this.presented.fill(0);
    // A longer token is cut at the buffer's end: its byte count cannot match.
    const bytes = token.length > MAX_TOKEN_BYTES ? MAX_TOKEN_BYTES + 1 : this.presented.write(token);
    const same = timingSafeEqual(this.presented, this.expected);
    return same && bytes === this.expectedBytes;
  }
}
