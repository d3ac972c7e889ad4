/**
 * Answers for what Node's HTTP parser refuses before Fastify sees a request (headers too large, a
 * malformed request, a request not received in time): the error envelope, written to the socket,
 * and the connection closed, as Node itself does, instead of Fastify's default body.
 */
import { type Server, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ERRORS, type ErrorCode } from '../core/errors.ts';

const PARSER_CODES: Record<string, ErrorCode> = {
  ERR_HTTP_REQUEST_TIMEOUT: 'ERR_REQUEST_TIMEOUT',
  HPE_HEADER_OVERFLOW: 'ERR_HEADERS_TOO_LARGE',
};

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  ERR_REQUEST_TIMEOUT: 'The request was not received in time.',
  ERR_HEADERS_TOO_LARGE: 'The request headers are larger than 16 KiB.',
  ERR_BAD_REQUEST: 'The request is not valid HTTP/1.1.',
};

/** The raw HTTP/1.1 answer for a parser error code (exported for its test). */
export function clientErrorResponse(parserCode: string | undefined): string {
  const code = (parserCode && PARSER_CODES[parserCode]) || 'ERR_BAD_REQUEST';
  const status = ERRORS[code].status;
  const body = JSON.stringify({ error: { code, message: MESSAGES[code] ?? ERRORS[code].message } });
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

/** Fastify's `clientErrorHandler`: Node's `clientError` event, with the envelope. */
export function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) socket.end(clientErrorResponse(err.code));
  else socket.destroy();
}

/**
 * Node answers a request whose `Expect` is anything but `100-continue` with a bare 417 (no body, no
 * envelope, no code in the catalogue). RFC 9110 lets a server ignore an expectation it does not
 * know, so such a request is served as if it had none.
 */
export function serveUnknownExpectations(server: Server): void {
  server.on('checkExpectation', (request, response) => server.emit('request', request, response));
}
