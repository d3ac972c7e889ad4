/**
 * Deletes webhook deliveries, and their attempt logs, some time after they finished: the outbox and
 * its log would otherwise grow with every event forever. Pending deliveries are never pruned; the
 * events themselves stay (alerts and redelivery read them). Safe with several instances: each batch
 * deletes what it selected, and a row deleted twice is simply gone.
 */
import type { Clock } from '../core/clock.ts';
import type { Storage } from '../storage/index.ts';

const DAY = 86_400_000;

/** How long a finished delivery and its attempts are kept (Stripe keeps events for 30 days). */
export const WEBHOOK_RETENTION_MS = 30 * DAY;

/** Deliveries deleted per transaction: short transactions, whatever the backlog. */
const BATCH = 500;

/** Prunes every finished delivery older than the retention; returns how many were deleted. */
export async function pruneWebhookDeliveries(
  storage: Storage,
  clock: Clock,
  retentionMs = WEBHOOK_RETENTION_MS,
): Promise<number> {
  const before = clock.now() - retentionMs;
  let deleted = 0;
  for (;;) {
    const n = await storage.transaction((tx) => tx.webhooks.deliveries.pruneFinished(before, BATCH));
    deleted += n;
    if (n < BATCH) return deleted;
  }
}
