/**
 * After every response: the route's metrics, and usage for an identified credential. Each route gets
 * its own synchronous onResponse hook holding its pattern and counters.
 */
import type { FastifyInstance, onResponseHookHandler } from 'fastify';
import type { AppDeps } from '../deps.ts';
import { addRouteHook } from '../route-hooks.ts';
import type { RouteMetrics } from '../route-metrics.ts';

/** Register before any route: it sees only the routes added after it. */
export function registerResponseObserver(app: FastifyInstance, deps: AppDeps, metrics: RouteMetrics): void {
  app.addHook('onRoute', (route) => {
    const pattern = route.url;
    const stats = metrics.forRoute(pattern);
    const onResponse: onResponseHookHandler = (request, reply, done) => {
      const latencyMs = reply.elapsedTime;
      stats.observe(request.method, reply.statusCode, latencyMs);
      const credential = request.credential;
      if (credential !== undefined) {
        deps.usage.record({
          credentialId: credential.credentialId,
          workspaceId: credential.workspaceId,
          ip: request.ip,
          at: request.credentialAt,
          method: request.method,
          route: pattern,
          status: reply.statusCode,
          latencyMs,
        });
      }
      done();
    };
    addRouteHook(route, 'onResponse', onResponse, 'last');
  });
}
