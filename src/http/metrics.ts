/** Prometheus metrics: requests by route and status, latency, cache size, usage flushes. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AppDeps } from './deps.ts';

export type ObserveResponse = (request: FastifyRequest, reply: FastifyReply) => void;

export function registerMetrics(app: FastifyInstance, deps: AppDeps): ObserveResponse {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'keyward_' });
  const requests = new Counter({
    name: 'keyward_http_requests_total',
    help: 'HTTP requests by route pattern, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'keyward_http_request_duration_seconds',
    help: 'Time to answer, by route pattern',
    labelNames: ['route'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
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

  // Called from the app's one onResponse hook (a hook per concern costs a promise per request).
  return (request, reply) => {
    // The route pattern, never the URL: ids (and mistaken secrets) must not become label values.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: reply.statusCode });
    latency.observe({ route }, reply.elapsedTime / 1000);
  };
}
