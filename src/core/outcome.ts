/**
 * What a verification outcome means on the wire, framework-neutral: the one map from outcome codes
 * to errors, the error envelope of a refusal, the rate-limit headers, and the grace headers of a
 * rotated secret. Keyward's own bearer hook, the verify route and the `keyward/fastify` and
 * `keyward/express` middlewares all answer through this.
 */
import { ERRORS, type ErrorCode, type ErrorDetails } from './errors.ts';
import { redactSecrets, redactValue } from './redact.ts';

/** What verifying a secret can decide. */
export type VerifyCode =
  | 'VALID'
  | 'UNAUTHENTICATED'
  | 'KEY_EXPIRED'
  | 'KEY_REVOKED'
  | 'PLAN_REQUIRED'
  | 'SCOPE_INSUFFICIENT'
  | 'RATE_LIMITED';

/** A budget as answers report it (the rate limiter's state is one). */
export interface RateLimitState {
  limit: number;
  remaining: number;
  /** When the window ends, epoch milliseconds. */
  resetAt: number;
}

export const USE_HEADER = 'Send the API key in the Authorization header: "Authorization: Bearer <key>".';
export const WRONG_PLACE = `API keys are not accepted in query parameters, cookies or the body. ${USE_HEADER}`;
export const MISSING_CREDENTIALS = `Missing credentials. ${USE_HEADER}`;
export const MALFORMED_HEADER = `Malformed Authorization header. ${USE_HEADER}`;
export const INVALID_KEY = `The API key is not valid. ${USE_HEADER}`;
export const TOO_MANY_FAILURES = 'Too many failed authentication attempts from this address.';

/** The error code each refused outcome answers with (VALID is no refusal): the one map, used everywhere. */
export const CODE_TO_ERROR = {
  UNAUTHENTICATED: 'ERR_UNAUTHENTICATED',
  KEY_EXPIRED: 'ERR_KEY_EXPIRED',
  KEY_REVOKED: 'ERR_KEY_REVOKED',
  PLAN_REQUIRED: 'ERR_PLAN_REQUIRED',
  SCOPE_INSUFFICIENT: 'ERR_SCOPE_INSUFFICIENT',
  RATE_LIMITED: 'ERR_RATE_LIMITED',
} as const satisfies Record<Exclude<VerifyCode, 'VALID'>, ErrorCode>;

/** `{code, message, details?}` of the error envelope; messages never repeat a secret. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: ErrorDetails;
}

/** The envelope's error for `code`, redacted as every Keyward answer is. */
export function errorBody(code: ErrorCode, message: string = ERRORS[code].message, details?: ErrorDetails) {
  return details
    ? { code, message: redactSecrets(message), details: redactValue(details) as ErrorDetails }
    : { code, message: redactSecrets(message) };
}

export const statusOf = (code: ErrorCode): number => ERRORS[code].status;

/** A refused outcome of an identified credential: what its error needs. */
export type RefusedOutcome =
  | { code: 'KEY_EXPIRED' | 'KEY_REVOKED' | 'PLAN_REQUIRED' | 'SCOPE_INSUFFICIENT' }
  | { code: 'RATE_LIMITED'; limitedBy: 'key' | 'workspace' };

/**
 * The error of a refused outcome for a credential of `kind` on a route requiring `scope`. (An
 * unknown secret is answered by the caller, which also counts it against the client's failure budget.)
 */
export function refusalOf(
  outcome: RefusedOutcome,
  kind: 'api_key' | 'integration_token',
  scope: string,
): ErrorBody {
  switch (outcome.code) {
    case 'SCOPE_INSUFFICIENT':
      return errorBody('ERR_SCOPE_INSUFFICIENT', `This endpoint requires the ${scope} scope.`, {
        required: scope,
      });
    case 'RATE_LIMITED':
      return errorBody('ERR_RATE_LIMITED', `Rate limit exceeded for this ${outcome.limitedBy}.`, {
        limit: outcome.limitedBy,
      });
    default: {
      const code = CODE_TO_ERROR[outcome.code];
      const what = kind === 'integration_token' ? 'integration token' : 'API key';
      return errorBody(code, ERRORS[code].message.replace('API key', what));
    }
  }
}

/** The 429 of an address past its failed-authentication budget. */
export const tooManyFailures = (): ErrorBody =>
  errorBody('ERR_RATE_LIMITED', TOO_MANY_FAILURES, { limit: 'ip' });

/** Seconds until `resetAt`, at least 1: the Retry-After of a 429. */
export const retryAfterSeconds = (resetAt: number, now: number): number =>
  Math.max(1, Math.ceil((resetAt - now) / 1000));

/**
 * The rate-limit headers of an answer (lower-case names): the budget reported, and Retry-After when
 * the request was refused for it.
 */
export function rateLimitHeaders(
  state: RateLimitState,
  now: number,
  limited: boolean,
): Record<string, string> {
  const headers: Record<string, string> = {
    'x-ratelimit-limit': String(state.limit),
    'x-ratelimit-remaining': String(state.remaining),
    'x-ratelimit-reset': String(Math.ceil(state.resetAt / 1000)),
  };
  if (limited) headers['retry-after'] = String(retryAfterSeconds(state.resetAt, now));
  return headers;
}

/** A secret replaced by "rotate later" still works; its answers say until when. */
export function graceHeaders(secretEndsAt: number): Record<string, string> {
  const at = new Date(secretEndsAt);
  return { sunset: at.toUTCString(), 'x-token-expires-at': at.toISOString() };
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The secret of `Bearer <secret>` (scheme in any case, spaces around), or undefined. */
export function bearerSecret(header: string): string | undefined {
  return BEARER.exec(header)?.[1];
}

/** Where a secret must not travel: tests for query values, cookies and body fields. */
export function secretSpotter(prefixes: readonly string[]) {
  const looksLikeSecret = (value: unknown): boolean =>
    typeof value === 'string' && prefixes.some((p) => value.startsWith(p));
  return {
    looksLikeSecret,
    /** Any value of a parsed query or body (one level, arrays of values too) that is a secret. */
    anyValue(record: unknown): boolean {
      if (typeof record !== 'object' || record === null) return false;
      return Object.values(record).some((v) =>
        Array.isArray(v) ? v.some(looksLikeSecret) : looksLikeSecret(v),
      );
    },
    /** A query string (after `?`) holding a secret as any value. */
    inQueryString(url: string): boolean {
      const at = url.indexOf('?');
      if (at < 0) return false;
      for (const value of new URLSearchParams(url.slice(at + 1)).values())
        if (looksLikeSecret(value)) return true;
      return false;
    },
    cookie(cookie: string | undefined): boolean {
      return cookie !== undefined && prefixes.some((p) => cookie.includes(`=${p}`));
    },
  };
}
