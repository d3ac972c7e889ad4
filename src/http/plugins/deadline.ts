/**
 * The per-request deadline (KEYWARD_REQUEST_DEADLINE): a request still unanswered when it passes —
 * a dependency that stopped answering — gets 503 ERR_UNAVAILABLE with Retry-After. Fastify's own
 * `handlerTimeout` is not used: on Node 20 it clears its timer when the request stream closes,
 * which for a request with a body is as soon as the body has been read, so POSTs had no deadline.
 */
import type { FastifyInstance } from 'fastify';
import { KeywardError } from '../../core/errors.ts';

export function registerDeadline(app: FastifyInstance, deadlineMs: number): void {
  app.addHook('onRequest', (_request, reply, done) => {
    const timer = setTimeout(() => {
      if (reply.sent || reply.raw.headersSent) return;
      reply.send(new KeywardError('ERR_UNAVAILABLE', 'The request took too long; retry shortly.'));
    }, deadlineMs);
    // 'close' comes for every response, sent in full or cut off.
    reply.raw.once('close', () => clearTimeout(timer));
    done();
  });
}
