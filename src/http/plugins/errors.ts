/** Maps every failure to the error envelope once: Keyward errors, Fastify's own, validation, the rest. */
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ERRORS, type ErrorCode, type ErrorDetails, isKeywardError } from '../../core/errors.ts';
import { MAX_ID_LENGTH } from '../../core/ids.ts';
import { redactSecrets, redactValue } from '../../core/redact.ts';
import type { OutageLog } from '../../faults/outage-log.ts';
import { isUnavailable } from '../../storage/errors.ts';
import { serveUnknownExpectations } from '../client-errors.ts';
import type { RouteStats } from '../route-metrics.ts';

/** Seconds a client is told to wait after a 503. */
export const RETRY_AFTER_SECONDS = 5;

export function sendError(
  reply: FastifyReply,
  code: ErrorCode,
  message: string = ERRORS[code].message,
  details?: ErrorDetails,
) {
  // A key pasted into a path or a field must not come back in an error (messages quote ids and URLs).
  const error = details
    ? { code, message: redactSecrets(message), details: redactValue(details) }
    : { code, message: redactSecrets(message) };
  if (code === 'ERR_UNAVAILABLE' && !reply.hasHeader('retry-after'))
    reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  return reply.code(ERRORS[code].status).type('application/json; charset=utf-8').send({ error });
}

// Fastify's own error codes that mean "the client sent something wrong".
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'ERR_BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'ERR_BAD_REQUEST',
  FST_ERR_CTP_BODY_TOO_LARGE: 'ERR_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'ERR_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'ERR_BAD_REQUEST',
  FST_ERR_CTP_INVALID_TYPE: 'ERR_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_BAD_URL: 'ERR_BAD_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'ERR_URI_TOO_LONG',
  FST_ERR_ASYNC_CONSTRAINT: 'ERR_BAD_REQUEST',
};

// Fixed messages: Fastify's own quote the URL or the body, where a secret may sit.
const CLIENT_MESSAGES: Record<string, string> = {
  FST_ERR_BAD_URL: 'The request URL is not valid (bad percent-encoding).',
  FST_ERR_MAX_PARAM_LENGTH: 'A path parameter is longer than 200 characters.',
  ERR_BAD_REQUEST: 'The request body is not valid JSON.',
  ERR_PAYLOAD_TOO_LARGE: 'The request body is larger than 1 MiB.',
  ERR_UNSUPPORTED_MEDIA_TYPE: 'Send the request body as application/json.',
};

export function onError(
  logger: FastifyBaseLogger | undefined,
  outages: OutageLog | undefined,
  err: FastifyError,
  reply: FastifyReply,
) {
  if (isKeywardError(err)) return sendError(reply, err.code, err.message, err.details);
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext ?? 'body';
    // Zod's own issue shape (code, path inside the part, message) plus which part of the request it is.
    const issues = err.validation.map((v) => ({
      code: v.keyword,
      path: v.instancePath.split('/').filter(Boolean),
      message: v.message,
      location: where,
    }));
    const first = issues[0];
    const summary = first
      ? `${[where, ...first.path].join('.')}: ${first.message}`
      : 'The request is not valid.';
    return sendError(reply, 'ERR_VALIDATION', summary, { issues });
  }
  const mapped = err.code ? FASTIFY_CODES[err.code] : undefined;
  if (mapped) return sendError(reply, mapped, CLIENT_MESSAGES[err.code] ?? CLIENT_MESSAGES[mapped]);
  if (err.statusCode === 400) return sendError(reply, 'ERR_BAD_REQUEST', err.message);
  // The static file server (the docs' files) refuses a `..` in the path with a 403: no such file.
  if (err.statusCode === 403 || err.statusCode === 404) return sendError(reply, 'ERR_NOT_FOUND');
  // PostgreSQL refusing a character (a NUL that got past validation): the input's fault, not ours.
  if (err.code === '22021' || err.code === '22P05')
    return sendError(reply, 'ERR_BAD_REQUEST', 'The request holds a character that cannot be stored.');
  if (isUnavailable(err)) {
    // Counted, and logged once per outage (OutageLog), not a line per failed request.
    if (outages) outages.down('database', (err as { code?: string }).code ?? err.message);
    else logger?.error({ err: { code: (err as { code?: string }).code } }, 'database unavailable');
    return sendError(reply, 'ERR_UNAVAILABLE');
  }
  // Log what went wrong (never the request body, which may hold data we must not keep), answer blandly.
  logger?.error({ err: { message: err.message, code: err.code, stack: err.stack } }, 'unexpected error');
  return sendError(reply, 'ERR_INTERNAL');
}

/**
 * A URL path as a message may quote it: percent-decoded, so that the redaction sees a secret however
 * it was encoded. An undecodable run (not UTF-8) keeps its non-ASCII bytes encoded; secrets are ASCII.
 */
export function decodedPath(path: string): string {
  return path.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run.replace(/%([0-7][0-9A-Fa-f])/g, (_, hex: string) =>
        String.fromCharCode(Number.parseInt(hex, 16)),
      );
    }
  });
}

/**
 * `unmatched` counts the answers of the not-found handler (it is no route, so no route hook sees it,
 * and Fastify times nothing there: it is counted without a latency).
 */
export function registerErrorHandling(
  app: FastifyInstance,
  unmatched: RouteStats,
  logger: FastifyBaseLogger | undefined,
  outages: OutageLog | undefined,
  /** Runs first for an unknown route: one under /v1 that presented a credential gets its rate-limit headers. */
  beforeNotFound: (request: FastifyRequest, reply: FastifyReply) => Promise<void> | undefined,
): void {
  app.setErrorHandler((err: FastifyError, _request, reply) => onError(logger, outages, err, reply));
  serveUnknownExpectations(app.server);
  app.setNotFoundHandler(async (request, reply) => {
    await beforeNotFound(request, reply);
    const path = request.url.split('?')[0] ?? '';
    // The router reports an over-long id itself except where a catch-all route (the dashboard's GET)
    // takes the path; the answer is the same either way.
    if (path.split('/').some((segment) => segment.length > MAX_ID_LENGTH)) {
      unmatched.count(request.method, 414);
      return sendError(reply, 'ERR_URI_TOO_LONG', CLIENT_MESSAGES.FST_ERR_MAX_PARAM_LENGTH);
    }
    const sent = sendError(reply, 'ERR_NOT_FOUND', `No route for ${request.method} ${decodedPath(path)}.`);
    unmatched.count(request.method, 404);
    return sent;
  });
}
