/**
 * The SHA-256 of the last secret presented on one connection. A client sends the same key on every
 * request of a keep-alive connection: comparing it with the previous one (natively, in constant time)
 * costs a fraction of hashing it again, and the digest string it returns is the one the cache already
 * hashed as a Map key. Anything else is hashed as usual and remembered instead.
 *
 * Only the digest ever decides: a mismatch, whatever its position, costs the same as a match plus a
 * hash. The secret's bytes live here only while the connection does and are zeroed when it closes.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import { digestSecret } from '../core/secrets.ts';

/** Longer secrets are not remembered (real ones are ~40 characters). */
const MAX_CHARS = 128;

export class SecretMemo {
  private chars = -1;
  /** The remembered secret and the presented one, UTF-16 (lossless for any string), same size. */
  private remembered = Buffer.alloc(0);
  private presented = Buffer.alloc(0);
  private digest = '';

  digestOf(secret: string): string {
    const chars = secret.length;
    if (chars === this.chars) {
      this.presented.write(secret, 0, 'utf16le');
      if (timingSafeEqual(this.presented, this.remembered)) return this.digest;
    } else {
      if (chars > MAX_CHARS) return digestSecret(secret);
      this.clear();
      this.chars = chars;
      this.remembered = Buffer.alloc(chars * 2);
      this.presented = Buffer.alloc(chars * 2);
    }
    this.remembered.write(secret, 0, 'utf16le');
    this.digest = digestSecret(secret);
    return this.digest;
  }

  /** Forgets the secret and zeroes its bytes. */
  clear(): void {
    this.remembered.fill(0);
    this.presented.fill(0);
    this.chars = -1;
    this.digest = '';
  }
}

const memos = new WeakMap<Socket, SecretMemo>();

/** The memo of one connection (the bearer hook's and the verify route's), cleared when it closes. */
export function memoOfConnection(socket: Socket): SecretMemo {
  let memo = memos.get(socket);
  if (memo === undefined) {
    const created = new SecretMemo();
    memos.set(socket, created);
    socket.once('close', () => created.clear());
    memo = created;
  }
  return memo;
}
