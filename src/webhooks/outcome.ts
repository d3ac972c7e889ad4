/**
 * What one attempt changes, in one transaction: the delivery (done, or due again after a backoff, or
 * given up), the attempt log, and the endpoint's health — which disables it once it has failed for
 * longer than allowed.
 */
import { recordAudit, SYSTEM_ACTOR } from '../audit/record.ts';
import { iso } from '../core/time.ts';
import type { Repositories } from '../storage/index.ts';
import type { ClaimedDelivery, DeliveryOutcome } from '../storage/repositories/webhook-deliveries.ts';
import { MAX_ATTEMPTS, retryDelay } from './schedule.ts';
import { type AttemptResult, isSuccess } from './send.ts';

export interface RecordOptions {
  now: number;
  disableAfterMs: number;
  random: () => number;
}

export type Recorded = 'delivered' | 'retrying' | 'gave_up' | 'lease_lost';

const DAY = 86_400_000;

function describeDuration(ms: number): string {
  if (ms >= DAY) return `${Math.floor(ms / DAY)} day(s)`;
  return `${Math.floor(ms / 3_600_000)} hour(s)`;
}

export function outcomeOf(
  d: ClaimedDelivery,
  result: AttemptResult,
  options: RecordOptions,
): DeliveryOutcome {
  const attempts = d.attempts + 1;
  const base = { attempts, last_attempt_at: options.now, last_status: result.status };
  if (isSuccess(result)) {
    return {
      ...base,
      status: 'succeeded',
      next_attempt_at: null,
      last_error: null,
      completed_at: options.now,
    };
  }
  const error = result.error ?? `HTTP ${result.status}`;
  const delay = attempts < MAX_ATTEMPTS ? retryDelay(attempts, options.random) : undefined;
  if (delay === undefined)
    return { ...base, status: 'failed', next_attempt_at: null, last_error: error, completed_at: options.now };
  return {
    ...base,
    status: 'pending',
    next_attempt_at: options.now + delay,
    last_error: error,
    completed_at: null,
  };
}

export async function recordAttempt(
  tx: Repositories,
  d: ClaimedDelivery,
  result: AttemptResult,
  options: RecordOptions,
): Promise<Recorded> {
  const { now } = options;
  const outcome = outcomeOf(d, result, options);
  // Another worker took the delivery over after our lease ended: its outcome is the one that counts.
  if (!(await tx.webhooks.deliveries.complete(d.id, d.locked_by as string, outcome))) return 'lease_lost';
  await tx.webhooks.deliveries.insertAttempt({
    delivery_id: d.id,
    endpoint_id: d.endpoint_id,
    workspace_id: d.workspace_id,
    attempt: outcome.attempts,
    status: result.status,
    error: result.error,
    duration_ms: result.durationMs,
    response_body: result.responseBody,
    created_at: now,
  });
  if (outcome.status === 'succeeded') {
    if (d.failing_since !== null) await tx.webhooks.endpoints.markHealthy(d.endpoint_id);
    return 'delivered';
  }
  const { since, enabled } = await tx.webhooks.endpoints.markFailing(d.endpoint_id, now);
  if (enabled && now - since >= options.disableAfterMs) {
    await disableEndpoint(tx, d, since, outcome.last_error, now);
    return 'gave_up';
  }
  // Disabled while this attempt was in flight (by hand, or by another worker's failure): no retry.
  if (!enabled && outcome.status === 'pending') {
    await tx.webhooks.deliveries.failPending(d.endpoint_id, now, 'endpoint disabled');
    return 'gave_up';
  }
  return outcome.status === 'failed' ? 'gave_up' : 'retrying';
}

/** Disables a failing endpoint, gives up its pending deliveries and tells its owner (audit log). */
async function disableEndpoint(
  tx: Repositories,
  d: ClaimedDelivery,
  since: number,
  lastError: string | null,
  now: number,
): Promise<void> {
  const reason = `Every delivery failed for ${describeDuration(now - since)} (since ${iso(since)}); last error: ${lastError ?? 'unknown'}`;
  // Guarded: when two workers fail at once, one disables and audits.
  if (!(await tx.webhooks.endpoints.disableIfEnabled(d.endpoint_id, now, reason))) return;
  await tx.webhooks.deliveries.failPending(d.endpoint_id, now, 'endpoint disabled after failing repeatedly');
  await recordAudit(
    tx,
    SYSTEM_ACTOR,
    {
      workspaceId: d.workspace_id,
      action: 'webhook.disabled',
      targetType: 'webhook',
      targetId: d.endpoint_id,
      before: { enabled: true, url: d.url },
      after: { enabled: false, url: d.url, reason, failing_since: iso(since) },
    },
    now,
  );
}
