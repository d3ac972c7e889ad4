/**
 * What the workload knows exists on the server: bounded pools of boards, posts, votes and fresh keys,
 * so that data (and the server's working set) stays the same size however long the soak runs.
 */

export const LIMITS = { boardsMin: 3, boardsMax: 20, postsMax: 300, votesMax: 600, freshKeysMinting: 3 };
const REVOKED_KEPT = 20;

export interface Board {
  id: string;
  deleted: boolean;
}

export interface Post {
  id: string;
  board: Board;
  deleted: boolean;
}

export interface Vote {
  id: string;
  post: Post;
  deleted: boolean;
}

export interface FreshKey {
  id: string;
  secret: string;
  /** Requests still to make with it before it is revoked. */
  usesLeft: number;
  inFlight: number;
}

/** A board deleted takes its posts with it, and a post its votes: a later 404 on them is right. */
export const postGone = (p: Post) => p.deleted || p.board.deleted;
export const voteGone = (v: Vote) => v.deleted || postGone(v.post);

export class Pool<T> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  add(item: T): void {
    this.items.push(item);
  }

  pick(): T | undefined {
    return this.items[Math.floor(Math.random() * this.items.length)];
  }

  /** Takes a random item out (the caller is about to delete it). */
  take(): T | undefined {
    if (this.items.length === 0) return undefined;
    const i = Math.floor(Math.random() * this.items.length);
    const item = this.items[i]!;
    this.items[i] = this.items[this.items.length - 1]!;
    this.items.pop();
    return item;
  }

  /** Drops the items that `gone` says no longer exist. */
  prune(gone: (item: T) => boolean): void {
    let kept = 0;
    for (const item of this.items) if (!gone(item)) this.items[kept++] = item;
    this.items.length = kept;
  }
}

export class World {
  readonly boards = new Pool<Board>();
  readonly posts = new Pool<Post>();
  readonly votes = new Pool<Vote>();
  /** Fresh keys being used; a key whose uses are spent waits in `toRevoke`. */
  readonly fresh: FreshKey[] = [];
  readonly toRevoke: FreshKey[] = [];
  /** Secrets of keys revoked recently: presenting one must be refused. */
  readonly revoked: string[] = [];
  minting = 0;
  minted = 0;
  revokedCount = 0;
  private serial = 0;

  /** A name no other object of the run has (slugs derive from names and must be unique). */
  nextName(kind: string): string {
    return `${kind} ${process.pid}-${++this.serial}`;
  }

  deleteBoard(board: Board): void {
    board.deleted = true;
    this.posts.prune(postGone);
    this.votes.prune(voteGone);
  }

  deletePost(post: Post): void {
    post.deleted = true;
    this.votes.prune(voteGone);
  }

  /** A fresh key with uses left, its next use claimed. */
  claimFreshUse(): FreshKey | undefined {
    const key = this.fresh.find((k) => k.usesLeft > 0);
    if (!key) return undefined;
    key.usesLeft--;
    key.inFlight++;
    return key;
  }

  /** After a use answers: a key with no uses left and none in flight is ready to revoke. */
  finishFreshUse(key: FreshKey): void {
    key.inFlight--;
    if (key.usesLeft > 0 || key.inFlight > 0) return;
    const i = this.fresh.indexOf(key);
    if (i >= 0) {
      this.fresh.splice(i, 1);
      this.toRevoke.push(key);
    }
  }

  rememberRevoked(secret: string): void {
    this.revokedCount++;
    this.revoked.push(secret);
    if (this.revoked.length > REVOKED_KEPT) this.revoked.shift();
  }
}

/**
 * Requests that fail authentication, at most one a second on average (bursts of 5): below the
 * default per-IP budget of 100 a minute, so the soak's own address is never blocked (a block is
 * shared through Redis, and would also refuse other servers' tests from 127.0.0.1).
 */
export class FailureBudget {
  private tokens = 5;
  private last = performance.now();

  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(5, this.tokens + (now - this.last) / 1000);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}
