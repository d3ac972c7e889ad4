/**
 * Graceful shutdown, the part inside the app: once draining, every new request (also one arriving
 * on a keep-alive connection that is already open) is answered 503 ERR_UNAVAILABLE with
 * `Retry-After` and `Connection: close`, and /readyz says so, while requests already being handled
 * finish. `serve` starts the drain, waits a moment, then closes the server.
 */
import type { FastifyInstance } from 'fastify';
import { sendError } from './errors.ts';

export interface Drain {
  readonly draining: boolean;
  start(): void;
}

export function registerDrain(app: FastifyInstance): Drain {
  let draining = false;
  app.addHook('onRequest', (_request, reply, done) => {
    if (!draining) {
      done();
      return;
    }
    reply.header('connection', 'close');
    sendError(reply, 'ERR_UNAVAILABLE', 'The server is shutting down; retry the request.');
  });
  return {
    get draining() {
      return draining;
    },
    start() {
      if (draining) return;
      draining = true;
      // Connections that fall idle from now on close at once instead of after the keep-alive timeout.
      app.server.keepAliveTimeout = 1;
    },
  };
}
