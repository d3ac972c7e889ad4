/**
 * Carries cache invalidations to every process: the change is always logged in the database (polled
 * by each server, so the CLI's changes arrive too) and, with Redis, also published for instant fan-out.
 */
import type { Redis } from 'ioredis';
import { subscribe } from '../faults/redis-connections.ts';
import type { Storage } from '../storage/index.ts';
import type { Invalidation } from '../storage/repositories/invalidations.ts';
import type { CredentialCache } from './credential-cache.ts';

export interface InvalidationMessage {
  workspaceId: string;
  credentialId: string | null;
}

export function applyInvalidation(cache: CredentialCache, m: InvalidationMessage): void {
  if (m.credentialId) cache.invalidateCredential(m.credentialId);
  else cache.invalidateWorkspace(m.workspaceId);
}

export interface InvalidationBusOptions {
  storage: Storage;
  cache: CredentialCache;
  /** A publishing connection and a dedicated subscriber connection. */
  redis?: { publisher: Redis; subscriber: Redis; channel: string } | undefined;
  pollIntervalMs?: number;
}

/**
 * PostgreSQL numbers a log entry when it is inserted, not when its transaction commits, so a poll
 * can see entry 8 while entry 7 is still uncommitted. Skipped numbers are re-checked for this long;
 * one that never shows up belonged to a transaction that rolled back.
 */
const GAP_WATCH_MS = 30_000;
const MAX_WATCHED_GAPS = 1_000;

export class InvalidationBus {
  private lastSeq = 0;
  /** Skipped sequence numbers → when they were first noticed. */
  private readonly gaps = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private onMessage: ((channel: string, text: string) => void) | undefined;

  constructor(private readonly options: InvalidationBusOptions) {}

  async start(): Promise<void> {
    this.lastSeq = await this.options.storage.invalidations.latestSeq();
    const redis = this.options.redis;
    if (redis) {
      await subscribe(redis.subscriber, redis.channel);
      this.onMessage = (channel, text) => {
        if (channel !== redis.channel) return;
        try {
          applyInvalidation(this.options.cache, JSON.parse(text) as InvalidationMessage);
        } catch {
          // A malformed message is ignored; the database poll still delivers the change.
        }
      };
      redis.subscriber.on('message', this.onMessage);
    }
    this.timer = setInterval(() => void this.poll(), this.options.pollIntervalMs ?? 250);
    this.timer.unref();
  }

  /** Drops the entry here at once and tells the other processes. Call after the change committed. */
  async publish(m: InvalidationMessage): Promise<void> {
    applyInvalidation(this.options.cache, m);
    const redis = this.options.redis;
    if (redis) await redis.publisher.publish(redis.channel, JSON.stringify(m)).catch(() => {});
  }

  /** Applies every change logged since the last poll (also called directly by tests). */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const log = this.options.storage.invalidations;
      const now = Date.now();
      for (const row of await log.bySeq([...this.gaps.keys()])) {
        this.gaps.delete(row.seq);
        this.apply(row);
      }
      for (const row of await log.since(this.lastSeq)) {
        for (let seq = this.lastSeq + 1; seq < row.seq && this.gaps.size < MAX_WATCHED_GAPS; seq++) {
          this.gaps.set(seq, now);
        }
        this.apply(row);
        this.lastSeq = row.seq;
      }
      for (const [seq, noticed] of this.gaps) if (now - noticed > GAP_WATCH_MS) this.gaps.delete(seq);
    } catch {
      // The database may be briefly unreachable; the next poll catches up from the same point.
    } finally {
      this.polling = false;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const redis = this.options.redis;
    if (redis) {
      if (this.onMessage) redis.subscriber.off('message', this.onMessage);
      await redis.subscriber.unsubscribe(redis.channel).catch(() => {});
    }
  }

  private apply(row: Invalidation): void {
    applyInvalidation(this.options.cache, { workspaceId: row.workspace_id, credentialId: row.credential_id });
  }
}
