/**
 * Retries as a fetch wrapper, so that every call — the convenience methods and the raw openapi-fetch
 * client alike — behaves the same:
 * - 429 with `Retry-After`: wait that long (up to `maxWaitMs`) and send again, whatever the method
 *   (a refused request was not processed);
 * - network errors and 500/502/503/504: send again after an exponential backoff with jitter (or the
 *   answer's `Retry-After`, as on 503), but only for idempotent methods. Keyward has no idempotency
 *   key, so a POST or PATCH is never sent twice after it may have reached the server.
 */
import { retryAfterMs } from './rate-limit.ts';

/** What the client calls to send a request: `globalThis.fetch` by default. */
export type Fetch = (request: Request) => Promise<Response>;

/** Sleeps `ms`; rejects with the signal's reason if it aborts first. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export type RetryReason = 'rate_limited' | 'server_error' | 'network_error';

export interface RetryEvent {
  /** The request about to be sent again. */
  request: Request;
  /** 1 for the first retry. */
  attempt: number;
  /** How long the client waits before sending it. */
  delayMs: number;
  reason: RetryReason;
  /** The status that caused it (429, 5xx); undefined for a network error. */
  status: number | undefined;
  /** The network error that caused it. */
  error: unknown;
}

export interface RetryOptions {
  /** Retries after the first attempt, whatever the reason (default 3). */
  maxRetries?: number;
  /**
   * The longest `Retry-After` the client waits for (default 60 000 ms). An answer asking for longer
   * (e.g. an hourly budget spent) is returned, and thrown as KeywardApiError, at once.
   */
  maxWaitMs?: number;
  /** The first backoff after a network error or 5xx (default 250 ms); it doubles at each retry. */
  initialDelayMs?: number;
  /** The longest backoff (default 8 000 ms). */
  maxDelayMs?: number;
  /**
   * The delay before retry number `attempt` (1, 2, …) after a network error or 5xx without
   * `Retry-After`. Default: exponential with jitter, `d/2 + random(d/2)` where
   * `d = min(maxDelayMs, initialDelayMs × 2^(attempt − 1))`.
   */
  backoff?: (attempt: number) => number;
  /** How the client waits (default: a timer that the request's AbortSignal cancels). */
  sleep?: Sleep;
  /** Told before each retry (logging, metrics). */
  onRetry?: (event: RetryEvent) => void;
}

interface Policy {
  maxRetries: number;
  maxWaitMs: number;
  backoff: (attempt: number) => number;
  sleep: Sleep;
  onRetry: ((event: RetryEvent) => void) | undefined;
}

/** Methods that can be sent twice with the effect of once (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);
/** 5xx answers worth sending again; 501, 505… will not change. */
const TRANSIENT = new Set([500, 502, 503, 504]);

export const defaultSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export function exponentialBackoff(initialDelayMs = 250, maxDelayMs = 8_000): (attempt: number) => number {
  return (attempt) => {
    const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, attempt - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  };
}

function policyOf(options: RetryOptions): Policy {
  const count = (value: number | undefined, fallback: number, name: string) => {
    const n = value ?? fallback;
    if (!Number.isFinite(n) || n < 0) throw new TypeError(`retry.${name} must be a number ≥ 0`);
    return n;
  };
  const initialDelayMs = count(options.initialDelayMs, 250, 'initialDelayMs');
  const maxDelayMs = count(options.maxDelayMs, 8_000, 'maxDelayMs');
  return {
    maxRetries: Math.floor(count(options.maxRetries, 3, 'maxRetries')),
    maxWaitMs: count(options.maxWaitMs, 60_000, 'maxWaitMs'),
    backoff: options.backoff ?? exponentialBackoff(initialDelayMs, maxDelayMs),
    sleep: options.sleep ?? defaultSleep,
    onRetry: options.onRetry,
  };
}

/** `fetch` with the retry rules above; `false` sends every request exactly once. */
export function retryingFetch(fetch: Fetch, options: RetryOptions | false): Fetch {
  if (options === false) return fetch;
  const policy = policyOf(options);
  return async (request) => {
    const idempotent = IDEMPOTENT.has(request.method.toUpperCase());
    for (let attempt = 1; ; attempt++) {
      const last = attempt > policy.maxRetries;
      // Each attempt sends a copy, so the body is still there for the next one.
      const sent = last ? request : request.clone();
      let response: Response;
      try {
        response = await fetch(sent);
      } catch (error) {
        if (last || !idempotent || request.signal.aborted) throw error;
        await wait(policy, request, attempt, policy.backoff(attempt), 'network_error', undefined, error);
        continue;
      }
      if (last) return response;
      const retry = retryOf(policy, response, idempotent, attempt);
      if (!retry) return response;
      // The answer is dropped: free its connection.
      await response.body?.cancel().catch(() => {});
      await wait(policy, request, attempt, retry.delayMs, retry.reason, response.status, undefined);
    }
  };
}

function retryOf(
  policy: Policy,
  response: Response,
  idempotent: boolean,
  attempt: number,
): { delayMs: number; reason: RetryReason } | undefined {
  const asked = retryAfterMs(response.headers);
  if (response.status === 429) {
    // Without Retry-After (e.g. credits exhausted) waiting would not help.
    if (asked === undefined || asked > policy.maxWaitMs) return undefined;
    return { delayMs: asked, reason: 'rate_limited' };
  }
  if (!TRANSIENT.has(response.status) || !idempotent) return undefined;
  if (asked !== undefined && asked > policy.maxWaitMs) return undefined;
  return { delayMs: asked ?? policy.backoff(attempt), reason: 'server_error' };
}

async function wait(
  policy: Policy,
  request: Request,
  attempt: number,
  delayMs: number,
  reason: RetryReason,
  status: number | undefined,
  error: unknown,
): Promise<void> {
  policy.onRetry?.({ request, attempt, delayMs, reason, status, error });
  await policy.sleep(delayMs, request.signal);
}
