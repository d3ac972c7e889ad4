/**
 * Every response: the route's metrics, and usage for an identified credential. Each route gets its
 * own synchronous onSend hook holding its pattern and counters.
 *
 * onSend, not onResponse: an onResponse hook makes Fastify attach two listeners to every response and
 * read the clock twice, which cost more than the recording itself. The latency measured here ends
 * when the answer is handed to Node, which is what Keyward controls.
 */
import type { FastifyInstance, FastifyRequest, onRequestHookHandler, onSendHookHandler } from 'fastify';
import type { AppDeps } from '../deps.ts';
import { addRouteHook } from '../route-hooks.ts';
import type { RouteMetrics } from '../route-metrics.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** `performance.now()` when Keyward started on the request (see `stampStart`). */
    startedAt: number;
  }
}

/** Marks when handling began; the first onRequest hook of every route calls it. */
export function stampStart(request: FastifyRequest): void {
  request.startedAt = performance.now();
}

const startHook: onRequestHookHandler = (request, _reply, done) => {
  stampStart(request);
  done();
};

/** Register before any route: it sees only the routes added after it. */
export function registerResponseObserver(app: FastifyInstance, deps: AppDeps, metrics: RouteMetrics): void {
  app.decorateRequest('startedAt', 0);
  app.addHook('onRoute', (route) => {
    const pattern = route.url;
    const stats = metrics.forRoute(pattern);
    // A route with a scope starts with the bearer hook, which stamps the start itself: one hook
    // fewer on the hot path.
    if (!route.config?.scope) addRouteHook(route, 'onRequest', startHook, 'first');
    const onSend: onSendHookHandler = (request, reply, payload, done) => {
      const latencyMs = performance.now() - request.startedAt;
      const status = reply.statusCode;
      stats.observe(request.method, status, latencyMs);
      const credential = request.credential;
      if (credential !== undefined) {
        deps.usage.record({
          credentialId: credential.credentialId,
          workspaceId: credential.workspaceId,
          ip: request.ip,
          at: request.credentialAt,
          method: request.method,
          route: pattern,
          status,
          latencyMs,
        });
      }
      done(null, payload);
    };
    addRouteHook(route, 'onSend', onSend, 'last');
  });
}
