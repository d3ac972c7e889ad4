/** KeywardApiError: every non-2xx answer, built from Keyward's error envelope. */
import type { components } from './generated/openapi.ts';
import { type RateLimit, rateLimitOf, retryAfterMs } from './rate-limit.ts';

/** The codes the OpenAPI document lists for the error envelope (never, should the schema move). */
type DocumentedErrorCode = components extends { schemas: { Error: { error: { code: infer C } } } }
  ? C
  : never;

/** The code of an answer that is not Keyward's error envelope (a proxy's HTML page, an empty body…). */
export const UNEXPECTED_RESPONSE = 'ERR_UNEXPECTED_RESPONSE';

/**
 * A documented code (`ERR_NOT_FOUND`, `ERR_RATE_LIMITED`, …), `ERR_UNEXPECTED_RESPONSE`, or a code a
 * newer server added: any string is accepted, the known ones autocomplete.
 */
export type KeywardErrorCode = DocumentedErrorCode | typeof UNEXPECTED_RESPONSE | (string & {});

const BODY_EXCERPT = 500;

export class KeywardApiError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** `error.code` of the envelope; `ERR_UNEXPECTED_RESPONSE` when the body was not the envelope. */
  readonly code: KeywardErrorCode;
  /**
   * `error.details` when the server gave structure (`issues` on 422, `required` on 403
   * `ERR_SCOPE_INSUFFICIENT`, `limit` on 429…). For a body that was not the envelope:
   * `{content_type, body}` (the body's first 500 characters).
   */
  readonly details: Record<string, unknown> | undefined;
  /** `X-Request-Id` of the answer, when something on the way (a proxy) set one. */
  readonly requestId: string | undefined;
  /** The answer's `X-RateLimit-*` headers (every credentialed answer has them). */
  readonly rateLimit: RateLimit | undefined;
  /** `Retry-After` in seconds (429, 503), when present. */
  readonly retryAfter: number | undefined;

  constructor(init: {
    status: number;
    code: KeywardErrorCode;
    message: string;
    details?: Record<string, unknown> | undefined;
    requestId?: string | undefined;
    rateLimit?: RateLimit | undefined;
    retryAfter?: number | undefined;
  }) {
    super(init.message);
    this.name = 'KeywardApiError';
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.requestId = init.requestId;
    this.rateLimit = init.rateLimit;
    this.retryAfter = init.retryAfter;
  }

  /**
   * The error for an answer whose body has been read: `body` is the parsed JSON, or the text when it
   * was not JSON, or undefined when there was none (what openapi-fetch gives as `error`).
   */
  static fromResponse(response: Response, body: unknown): KeywardApiError {
    const wait = retryAfterMs(response.headers);
    const common = {
      status: response.status,
      requestId: response.headers.get('x-request-id') ?? undefined,
      rateLimit: rateLimitOf(response),
      retryAfter: wait === undefined ? undefined : Math.ceil(wait / 1000),
    };
    const envelope = envelopeOf(body);
    if (envelope) return new KeywardApiError({ ...common, ...envelope });
    const text = typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
    return new KeywardApiError({
      ...common,
      code: UNEXPECTED_RESPONSE,
      message: `Keyward answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''} without its error envelope.`,
      details: { content_type: response.headers.get('content-type'), body: text.slice(0, BODY_EXCERPT) },
    });
  }
}

export const isKeywardApiError = (err: unknown): err is KeywardApiError => err instanceof KeywardApiError;

function envelopeOf(
  body: unknown,
): { code: string; message: string; details: Record<string, unknown> | undefined } | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const error = body.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, details } = error as Record<string, unknown>;
  if (typeof code !== 'string' || typeof message !== 'string') return undefined;
  const structured =
    typeof details === 'object' && details !== null && !Array.isArray(details)
      ? (details as Record<string, unknown>)
      : undefined;
  return { code, message, details: structured };
}
