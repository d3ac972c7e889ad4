/** Prometheus metrics of webhook delivery: queued, delivered, failed attempts, given up, latency. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Storage } from '../storage/index.ts';

export class WebhookMetrics {
  // `registers: []`: each app registers them on its own registry (see register()).
  readonly delivered = new Counter({
    name: 'keyward_webhook_delivered_total',
    help: 'Webhook attempts answered with a 2xx',
    registers: [],
  });
  readonly failed = new Counter({
    name: 'keyward_webhook_failed_total',
    help: 'Webhook attempts that failed (non-2xx, timeout, network error, refused destination)',
    registers: [],
  });
  readonly exhausted = new Counter({
    name: 'keyward_webhook_gave_up_total',
    help: 'Webhook deliveries that failed every attempt of the retry schedule',
    registers: [],
  });
  readonly latency = new Histogram({
    name: 'keyward_webhook_attempt_duration_seconds',
    help: 'Time from sending a webhook to its response (or failure)',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [],
  });
  readonly queued: Gauge;

  constructor(storage: Storage) {
    this.queued = new Gauge({
      name: 'keyward_webhook_queued',
      help: 'Webhook deliveries waiting to be sent or retried (all workers)',
      registers: [],
      async collect() {
        // A database that does not answer must not break the whole /metrics page: keep the last value.
        const pending = await storage.webhooks.deliveries.countPending().catch(() => undefined);
        if (pending !== undefined) this.set(pending);
      },
    });
  }

  register(registry: Registry): void {
    for (const metric of [this.delivered, this.failed, this.exhausted, this.latency, this.queued]) {
      registry.registerMetric(metric);
    }
  }
}
