/** Starts a webhook worker from the configuration (inside `keyward serve`, or as `keyward worker`). */
import type { Config } from '../config/config.ts';
import type { Clock } from '../core/clock.ts';
import type { OutageLog } from '../faults/outage-log.ts';
import type { Storage } from '../storage/index.ts';
import type { WebhookMetrics } from './metrics.ts';
import { WebhookWorker, type WorkerLogger } from './worker.ts';

export interface WorkerDeps {
  storage: Storage;
  clock: Clock;
  metrics?: WebhookMetrics | undefined;
  logger?: WorkerLogger | undefined;
  outages?: OutageLog | undefined;
}

export function webhookWorkerFor(config: Config, deps: WorkerDeps): WebhookWorker {
  return new WebhookWorker({
    ...deps,
    policy: { allowHttp: config.webhookAllowHttp, allowPrivate: config.webhookAllowPrivate },
    disableAfterMs: config.webhookDisableAfter,
    timeoutMs: config.webhookTimeout,
  });
}

export function startWebhookWorker(config: Config, deps: WorkerDeps): WebhookWorker {
  const worker = webhookWorkerFor(config, deps);
  worker.start();
  return worker;
}
