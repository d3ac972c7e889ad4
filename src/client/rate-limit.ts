/** The rate-limit headers every credentialed answer carries, parsed. */

/** `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` of one answer. */
export interface RateLimit {
  /** `X-RateLimit-Limit`: the budget of the tighter window (the key's or the workspace's). */
  limit: number;
  /** `X-RateLimit-Remaining`: requests left in that window. */
  remaining: number;
  /** `X-RateLimit-Reset`: when that window ends, in unix seconds. */
  reset: number;
}

const integer = (value: string | null): number | undefined => {
  if (value === null || !/^\s*\d+\s*$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
};

/**
 * The rate-limit headers of a response (or of its headers), or undefined when any of the three is
 * missing or not a whole number: an answer to a request without a credential has none.
 */
export function rateLimitOf(source: Response | Headers): RateLimit | undefined {
  const headers = source instanceof Headers ? source : source.headers;
  const limit = integer(headers.get('x-ratelimit-limit'));
  const remaining = integer(headers.get('x-ratelimit-remaining'));
  const reset = integer(headers.get('x-ratelimit-reset'));
  if (limit === undefined || remaining === undefined || reset === undefined) return undefined;
  return { limit, remaining, reset };
}

/**
 * `Retry-After` in milliseconds: delay-seconds or an HTTP date (relative to `now`, never negative);
 * undefined when absent or unreadable.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
