/** Maps every failure to the error envelope once: Keyward errors, Fastify's own, validation, the rest. */
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ERRORS, type ErrorCode, type ErrorDetails, isKeywardError } from '../../core/errors.ts';
import { isUnavailable } from '../../storage/errors.ts';
import type { RouteStats } from '../route-metrics.ts';

// A key pasted into a path or a field must not come back in an error (messages quote ids and URLs):
// anything shaped like a secret, `<prefix>_` then 32+ base62 characters, is masked. Ids are far shorter.
const SECRET_SHAPE = /\b[a-z][a-z0-9]{0,15}_[0-9A-Za-z]{32,}/g;
const redact = (text: string) => text.replace(SECRET_SHAPE, '[redacted]');

export function sendError(
  reply: FastifyReply,
  code: ErrorCode,
  message: string = ERRORS[code].message,
  details?: ErrorDetails,
) {
  const error = details
    ? { code, message: redact(message), details: JSON.parse(redact(JSON.stringify(details))) as ErrorDetails }
    : { code, message: redact(message) };
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
};

const CLIENT_MESSAGES: Partial<Record<ErrorCode, string>> = {
  ERR_BAD_REQUEST: 'The request body is not valid JSON.',
  ERR_PAYLOAD_TOO_LARGE: 'The request body is larger than 1 MiB.',
  ERR_UNSUPPORTED_MEDIA_TYPE: 'Send the request body as application/json.',
};

function onError(logger: FastifyBaseLogger | undefined, err: FastifyError, reply: FastifyReply) {
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
  if (mapped) return sendError(reply, mapped, CLIENT_MESSAGES[mapped]);
  if (err.statusCode === 400) return sendError(reply, 'ERR_BAD_REQUEST', err.message);
  if (isUnavailable(err)) {
    logger?.error({ err: { code: (err as { code?: string }).code } }, 'database unavailable');
    reply.header('retry-after', '5');
    return sendError(reply, 'ERR_UNAVAILABLE');
  }
  // Log what went wrong (never the request body, which may hold data we must not keep), answer blandly.
  logger?.error({ err: { message: err.message, code: err.code, stack: err.stack } }, 'unexpected error');
  return sendError(reply, 'ERR_INTERNAL');
}

/**
 * `unmatched` counts the answers of the not-found handler (it is no route, so no route hook sees it,
 * and Fastify times nothing there: it is counted without a latency).
 */
export function registerErrorHandling(
  app: FastifyInstance,
  unmatched: RouteStats,
  logger: FastifyBaseLogger | undefined,
): void {
  app.setErrorHandler((err: FastifyError, _request, reply) => onError(logger, err, reply));
  app.setNotFoundHandler((request, reply) => {
    const sent = sendError(
      reply,
      'ERR_NOT_FOUND',
      `No route for ${request.method} ${request.url.split('?')[0]}.`,
    );
    unmatched.count(request.method, 404);
    return sent;
  });
}
