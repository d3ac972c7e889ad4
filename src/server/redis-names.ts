/**
 * The Redis names every process of one deployment must agree on: `serve` subscribes to these
 * channels and the CLI publishes to them, so both take them from here.
 */

/** The namespace of Redis keys and channels when none is given (tests use one per run). */
export const DEFAULT_REDIS_PREFIX = 'keyward:';

export interface RedisChannels {
  /** "Drop this credential or workspace from your cache" (cache/invalidation-bus.ts). */
  invalidations: string;
  /** "Refuse this IP until its window ends" (limits/ip-blocks.ts). */
  ipBlocks: string;
}

export function redisChannels(prefix: string = DEFAULT_REDIS_PREFIX): RedisChannels {
  return { invalidations: `${prefix}invalidations`, ipBlocks: `${prefix}ip-blocks` };
}
