/**
 * How many Keyward instances share this Redis: each instance writes a heartbeat into one sorted set
 * and counts the members seen recently. When Redis goes away, the last count is what the fallback
 * limits divide by (docs/operations.md).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface InstanceCountOptions {
  /** Namespace; the set is `${prefix}instances`. */
  prefix: string;
  intervalMs?: number;
  now?: () => number;
}

export class InstanceCount {
  private readonly id = randomBytes(8).toString('hex');
  private readonly key: string;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private count = 1;

  constructor(
    private readonly redis: Redis,
    options: InstanceCountOptions,
  ) {
    this.key = `${options.prefix}instances`;
    this.intervalMs = options.intervalMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  /** Live instances at the last heartbeat that reached Redis (this one included, so at least 1). */
  get live(): number {
    return this.count;
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
    this.timer.unref();
  }

  /** One heartbeat: mine is written, those older than three intervals dropped, the rest counted. */
  async beat(): Promise<void> {
    const now = this.now();
    try {
      const replies = await this.redis
        .multi()
        .zadd(this.key, now, this.id)
        .zremrangebyscore(this.key, '-inf', now - 3 * this.intervalMs)
        .zcard(this.key)
        .pexpire(this.key, 6 * this.intervalMs)
        .exec();
      const card = replies?.[2]?.[1];
      if (typeof card === 'number' && card > 0) this.count = card;
    } catch {
      // Redis is away: the last count stands until it is back.
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.redis.zrem(this.key, this.id).catch(() => {});
  }
}
