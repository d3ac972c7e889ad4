/** The one catalogue of error codes: each has an HTTP status and a default message. */

export const ERRORS = {
  ERR_BAD_REQUEST: { status: 400, message: 'The request could not be understood.' },
  ERR_UNAUTHENTICATED: { status: 401, message: 'A valid API key is required.' },
  ERR_KEY_EXPIRED: { status: 401, message: 'This API key has expired.' },
  ERR_KEY_REVOKED: { status: 401, message: 'This API key has been revoked.' },
  ERR_SCOPE_INSUFFICIENT: { status: 403, message: 'This credential lacks the scope this endpoint requires.' },
  ERR_PLAN_REQUIRED: { status: 403, message: "The workspace's plan does not include API access." },
  ERR_IP_NOT_ALLOWED: { status: 403, message: 'Requests from this IP address are not allowed.' },
  ERR_FORBIDDEN: { status: 403, message: 'You are not allowed to do this.' },
  ERR_NOT_FOUND: { status: 404, message: 'Not found.' },
  ERR_REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time.' },
  ERR_CONFLICT: { status: 409, message: 'This conflicts with an existing resource.' },
  ERR_LINK_EXPIRED: { status: 410, message: 'This link was already used or has expired.' },
  ERR_PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  ERR_URI_TOO_LONG: { status: 414, message: 'The request URL or one of its path parameters is too long.' },
  ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Send the body as application/json.' },
  ERR_VALIDATION: { status: 422, message: 'The request is not valid.' },
  ERR_RATE_LIMITED: { status: 429, message: 'Rate limit exceeded.' },
  ERR_HEADERS_TOO_LARGE: { status: 431, message: 'The request headers are too large.' },
  ERR_INTERNAL: { status: 500, message: 'Something went wrong on our side.' },
  ERR_UNAVAILABLE: { status: 503, message: 'The service is temporarily unavailable.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export type ErrorDetails = Record<string, unknown>;

/** An expected failure with a stable code; the HTTP layer turns it into the error envelope. */
export class KeywardError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message?: string, details?: ErrorDetails) {
    super(message ?? ERRORS[code].message);
    this.name = 'KeywardError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }
}

export const isKeywardError = (err: unknown): err is KeywardError => err instanceof KeywardError;
