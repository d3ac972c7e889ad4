/**
 * Carries cache invalidations to every process: the change is always logged in the database (polled
 * by each server, so the CLI's changes arrive too) and, with Redis, also published for instant fan-out.
 */
import type { Redis } from 'ioredis';
import type { Storage } from '../storage/index.ts';
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

export class InvalidationBus {
  private lastSeq = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(private readonly options: InvalidationBusOptions) {}

  async start(): Promise<void> {
    this.lastSeq = await this.options.storage.invalidations.latestSeq();
    const redis = this.options.redis;
    if (redis) {
      await redis.subscriber.subscribe(redis.channel);
      redis.subscriber.on('message', (channel, text) => {
        if (channel !== redis.channel) return;
        try {
          applyInvalidation(this.options.cache, JSON.parse(text) as InvalidationMessage);
        } catch {
          // A malformed message is ignored; the database poll still delivers the change.
        }
      });
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
      const rows = await this.options.storage.invalidations.since(this.lastSeq);
      for (const row of rows) {
        applyInvalidation(this.options.cache, { workspaceId: row.workspace_id, credentialId: row.credential_id });
        this.lastSeq = row.seq;
      }
    } catch {
      // The database may be briefly unreachable; the next poll catches up from the same point.
    } finally {
      this.polling = false;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const redis = this.options.redis;
    if (redis) await redis.subscriber.unsubscribe(redis.channel).catch(() => {});
  }
}
