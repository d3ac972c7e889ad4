/** Picks the rate limiter backend: Redis when a connection is given (shared by instances), else in-process. */
import type { Redis } from 'ioredis';
import { MemoryRateLimiter } from './memory-rate-limiter.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { RedisRateLimiter } from './redis-rate-limiter.ts';

export type { MemoryRateLimiterOptions } from './memory-rate-limiter.ts';
export { MemoryRateLimiter } from './memory-rate-limiter.ts';
export type { Budget, BudgetState, ConsumeResult, RateLimiter } from './rate-limiter.ts';
export { windowStart } from './rate-limiter.ts';
export type { RedisRateLimiterOptions } from './redis-rate-limiter.ts';
export { RedisRateLimiter } from './redis-rate-limiter.ts';

export interface CreateRateLimiterOptions {
  /** A connection the caller owns; the limiter never closes it. */
  redis?: Redis;
  /** Redis key namespace; defaults to `keyward:`. */
  prefix?: string;
}

export function createRateLimiter(options: CreateRateLimiterOptions): RateLimiter {
  if (options.redis) return new RedisRateLimiter(options.redis, { prefix: options.prefix ?? 'keyward:' });
  return new MemoryRateLimiter();
}
