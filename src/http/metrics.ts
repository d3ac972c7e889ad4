/** Prometheus metrics: requests by route and status, latency, cache size, usage flushes. */
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { AppDeps } from './deps.ts';
import type { RouteMetrics } from './route-metrics.ts';

/**
 * The app's Prometheus registry and GET /metrics. HTTP requests are counted per route by
 * `routes` (see route-metrics.ts); the caller attaches them to each route.
 */
export function registerMetrics(app: FastifyInstance, deps: AppDeps, routes: RouteMetrics): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'keyward_' });
  routes.register(registry);
  new Gauge({
    name: 'keyward_credential_cache_entries',
    help: 'Verified credentials held in memory',
    registers: [registry],
    collect() {
      this.set(deps.cache.size);
    },
  });
  new Gauge({
    name: 'keyward_usage_flushes',
    help: 'Batches of usage written to the database',
    registers: [registry],
    collect() {
      this.set(deps.usage.flushes);
    },
  });

  deps.webhookMetrics?.register(registry);

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
}
