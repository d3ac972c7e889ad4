/**
 * Client addresses that spent their failed-authentication budget, each until its window ends. The
 * bearer hook looks here before anything else: a map lookup per request instead of a limiter call.
 *
 * The failure count is the rate limiter's (shared through Redis when there is one); the block is
 * shared too. An instance that blocks an address publishes it, so every instance refuses that
 * address at once, not only the one that happened to count its last failure.
 */
import type { Redis } from 'ioredis';
import { subscribe } from '../faults/redis-connections.ts';

/** Entries past their end are dropped when the map grows beyond this (an address may never return). */
const SWEEP_ABOVE = 10_000;

export interface IpBlocksOptions {
  /** A publishing connection, a subscriber connection (may be shared with other channels) and the channel. */
  redis?: { publisher: Redis; subscriber: Redis; channel: string } | undefined;
}

interface BlockMessage {
  ip: string;
  until: number;
}

const isBlockMessage = (m: unknown): m is BlockMessage =>
  typeof m === 'object' &&
  m !== null &&
  typeof (m as BlockMessage).ip === 'string' &&
  (m as BlockMessage).ip.length <= 100 &&
  Number.isFinite((m as BlockMessage).until);

export class IpBlocks {
  private readonly until = new Map<string, number>();
  private onMessage: ((channel: string, text: string) => void) | undefined;

  constructor(private readonly options: IpBlocksOptions = {}) {}

  async start(): Promise<void> {
    const redis = this.options.redis;
    if (!redis) return;
    await subscribe(redis.subscriber, redis.channel);
    this.onMessage = (channel, text) => {
      if (channel !== redis.channel) return;
      try {
        const m: unknown = JSON.parse(text);
        if (isBlockMessage(m)) this.set(m.ip, m.until);
      } catch {
        // Not ours or malformed: the instance that counted the failures still refuses the address.
      }
    };
    redis.subscriber.on('message', this.onMessage);
  }

  async stop(): Promise<void> {
    const redis = this.options.redis;
    if (!redis) return;
    if (this.onMessage) redis.subscriber.off('message', this.onMessage);
    await redis.subscriber.unsubscribe(redis.channel).catch(() => {});
  }

  /** Nothing is blocked: the hot path skips the lookup. */
  get empty(): boolean {
    return this.until.size === 0;
  }

  /** When the block on `ip` ends, or undefined if it is not blocked (an ended block is dropped). */
  blockedUntil(ip: string, now: number): number | undefined {
    const until = this.until.get(ip);
    if (until === undefined) return undefined;
    if (until > now) return until;
    this.until.delete(ip);
    return undefined;
  }

  /** Blocks `ip` here at once and tells the other instances. */
  block(ip: string, until: number, now: number): void {
    this.set(ip, until, now);
    const redis = this.options.redis;
    if (redis) {
      const message: BlockMessage = { ip, until };
      redis.publisher.publish(redis.channel, JSON.stringify(message)).catch(() => {});
    }
  }

  private set(ip: string, until: number, now = Date.now()): void {
    if (until <= (this.until.get(ip) ?? 0)) return;
    if (this.until.size >= SWEEP_ABOVE) {
      for (const [key, end] of this.until) if (end <= now) this.until.delete(key);
    }
    this.until.set(ip, until);
  }
}
