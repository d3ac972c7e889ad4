/** Endpoints and deliveries as both APIs show them (never a secret, except once on creation/rotation). */
import { iso } from '../core/time.ts';
import type { Storage } from '../storage/index.ts';
import type { WebhookAttemptRow, WebhookDeliveryRow } from '../storage/repositories/webhook-deliveries.ts';
import type { WebhookEndpointRow } from '../storage/repositories/webhook-endpoints.ts';

export function presentEndpoint(e: WebhookEndpointRow, now: number) {
  const overlapping = e.previous_secret_expires_at !== null && e.previous_secret_expires_at > now;
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: JSON.parse(e.events) as string[],
    enabled: e.enabled === 1,
    disabled_reason: e.disabled_reason,
    disabled_at: iso(e.disabled_at),
    failing_since: iso(e.failing_since),
    previous_secret_expires_at: overlapping ? iso(e.previous_secret_expires_at) : null,
    created_at: iso(e.created_at),
    updated_at: iso(e.updated_at),
  };
}

const presentAttempt = (a: WebhookAttemptRow) => ({
  attempt: a.attempt,
  response_status: a.status,
  error: a.error,
  duration_ms: a.duration_ms,
  response_body: a.response_body,
  created_at: iso(a.created_at),
});

export function presentDelivery(d: WebhookDeliveryRow, attempts: readonly WebhookAttemptRow[]) {
  return {
    id: d.id,
    endpoint_id: d.endpoint_id,
    event_id: d.event_id,
    event_type: d.event_type,
    status: d.status,
    attempt_count: d.attempts,
    next_attempt_at: iso(d.next_attempt_at),
    last_attempt_at: iso(d.last_attempt_at),
    response_status: d.last_status,
    last_error: d.last_error,
    created_at: iso(d.created_at),
    completed_at: iso(d.completed_at),
    attempts: attempts.filter((a) => a.delivery_id === d.id).map(presentAttempt),
  };
}

/** Deliveries with their attempt logs (one query for all the attempts). */
export async function presentDeliveries(storage: Storage, rows: readonly WebhookDeliveryRow[]) {
  const attempts = await storage.webhooks.deliveries.attemptsOf(rows.map((d) => d.id));
  return rows.map((d) => presentDelivery(d, attempts));
}
