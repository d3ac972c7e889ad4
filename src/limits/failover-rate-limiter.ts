/**
 * The Redis limiter with a policy for when Redis is away (KEYWARD_REDIS_FAILURE):
 * - `open`: each instance counts in memory, every limit divided by the number of instances that were
 *   live, so the fleet as a whole stays near the budget; Redis is tried again after a pause.
 * - `closed`: the request is refused at once with 503 ERR_UNAVAILABLE.
 * Either way nothing waits for a Redis that is not connected: the decision is immediate.
 */
import type { Redis } from 'ioredis';
import { KeywardError } from '../core/errors.ts';
import type { OutageLog } from '../faults/outage-log.ts';
import { MemoryRateLimiter } from './memory-rate-limiter.ts';
import type { Budget, ConsumeResult, RateLimiter } from './rate-limiter.ts';

export type RedisFailureMode = 'open' | 'closed';

export interface FailoverOptions {
  redis: Redis;
  primary: RateLimiter;
  mode: RedisFailureMode;
  /** How many instances share the budget (InstanceCount). */
  instances: { readonly live: number };
  outages?: OutageLog | undefined;
  /** After a failed call, how long Redis is left alone before it is tried again (default 1 s). */
  pauseMs?: number;
  now?: () => number;
}

export class FailoverRateLimiter implements RateLimiter {
  private readonly fallback = new MemoryRateLimiter();
  private pausedUntil = 0;
  private readonly now: () => number;

  constructor(private readonly options: FailoverOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Whether calls currently go to Redis. */
  get usingRedis(): boolean {
    return this.options.redis.status === 'ready' && this.now() >= this.pausedUntil;
  }

  async consume(budgets: readonly Budget[], now: number): Promise<ConsumeResult> {
    if (!this.usingRedis) return this.degraded(budgets, now, 'consume');
    try {
      return await this.options.primary.consume(budgets, now);
    } catch (err) {
      this.failed(err);
      return this.degraded(budgets, now, 'consume');
    }
  }

  async peek(budgets: readonly Budget[], now: number): Promise<ConsumeResult> {
    if (!this.usingRedis) return this.degraded(budgets, now, 'peek');
    try {
      return await this.options.primary.peek(budgets, now);
    } catch (err) {
      this.failed(err);
      return this.degraded(budgets, now, 'peek');
    }
  }

  async refund(budgets: readonly Budget[], now: number): Promise<void> {
    if (!this.usingRedis) {
      await this.fallback.refund(this.scaled(budgets), now);
      return;
    }
    // A refund that cannot reach Redis is dropped: it only ever gives a unit back.
    await this.options.primary.refund(budgets, now).catch(() => {});
  }

  async close(): Promise<void> {
    await this.fallback.close();
    await this.options.primary.close();
  }

  /** Redis failed a call: leave it alone for a pause, and say so once. */
  private failed(err: unknown): void {
    this.pausedUntil = this.now() + (this.options.pauseMs ?? 1_000);
    this.options.outages?.down('redis', (err as Error).message);
  }

  private degraded(budgets: readonly Budget[], now: number, op: 'consume' | 'peek'): Promise<ConsumeResult> {
    this.options.outages?.down('redis');
    if (this.options.mode === 'closed') {
      return Promise.reject(
        new KeywardError('ERR_UNAVAILABLE', 'Rate limiting is unavailable; retry shortly.'),
      );
    }
    const scaled = this.scaled(budgets);
    return op === 'consume' ? this.fallback.consume(scaled, now) : this.fallback.peek(scaled, now);
  }

  /** Each limit's share for this instance; the counter names stay apart from Redis's. */
  private scaled(budgets: readonly Budget[]): Budget[] {
    const n = Math.max(1, this.options.instances.live);
    return budgets.map((b) => ({
      key: b.key,
      limit: Math.max(1, Math.ceil(b.limit / n)),
      windowMs: b.windowMs,
    }));
  }
}
