/**
 * The outbox's entry point. Called inside the transaction of the change it reports, so an event is
 * recorded (with one pending delivery per subscribed, enabled endpoint) exactly when the change
 * commits: a crash cannot lose it, a rollback cannot send it.
 */
import type { TEST_EVENT_TYPE, WebhookEventType } from '../contract/webhooks.ts';
import { newId } from '../core/ids.ts';
import type { Repositories } from '../storage/index.ts';
import type { EventRow } from '../storage/repositories/events.ts';
import type { WebhookDeliveryRow } from '../storage/repositories/webhook-deliveries.ts';
import type { WebhookEndpointRow } from '../storage/repositories/webhook-endpoints.ts';
import type { UsageEventSink } from '../usage/events.ts';

export type EmittedType = WebhookEventType | typeof TEST_EVENT_TYPE;

export function subscribes(endpoint: Pick<WebhookEndpointRow, 'events'>, type: string): boolean {
  const events = JSON.parse(endpoint.events) as string[];
  return events.includes('*') || events.includes(type);
}

/** A new pending delivery of `event` to `endpointId`, due at `now`. */
export function pendingDelivery(
  event: Pick<EventRow, 'id' | 'workspace_id' | 'type'>,
  endpointId: string,
  now: number,
): WebhookDeliveryRow {
  return {
    id: newId('webhookDelivery', now),
    workspace_id: event.workspace_id,
    endpoint_id: endpointId,
    event_id: event.id,
    event_type: event.type,
    status: 'pending',
    attempts: 0,
    next_attempt_at: now,
    locked_until: null,
    locked_by: null,
    last_attempt_at: null,
    last_status: null,
    last_error: null,
    created_at: now,
    completed_at: null,
  };
}

async function fanOut(tx: Repositories, event: EventRow, now: number): Promise<number> {
  const endpoints = (await tx.webhooks.endpoints.enabled(event.workspace_id)).filter((e) =>
    subscribes(e, event.type),
  );
  await tx.webhooks.deliveries.insert(endpoints.map((e) => pendingDelivery(event, e.id, now)));
  return endpoints.length;
}

export interface EmitOptions {
  /**
   * A deterministic id: the event is recorded (and fanned out) only if no event has it yet, so the
   * same happening reported twice (two instances, a sweep after an explicit call) is sent once.
   */
  id?: string;
}

/** Records an event of the workspace and queues its deliveries, in the caller's transaction. */
export async function emitEvent(
  tx: Repositories,
  workspaceId: string,
  type: EmittedType,
  data: object,
  now: number,
  options: EmitOptions = {},
): Promise<EventRow | undefined> {
  const row: EventRow = {
    id: options.id ?? newId('event', now),
    workspace_id: workspaceId,
    type,
    data: JSON.stringify(data),
    created_at: now,
  };
  return emitPrepared(tx, row, now, options.id !== undefined);
}

/**
 * Records an already built event row (usage alerts build theirs) and queues its deliveries.
 * With `ignoreDuplicate`, an event whose id exists already is neither recorded nor sent again.
 */
export async function emitPrepared(
  tx: Repositories,
  row: EventRow,
  now: number,
  ignoreDuplicate: boolean,
): Promise<EventRow | undefined> {
  if (ignoreDuplicate) {
    if (!(await tx.events.insertIgnoringDuplicate(row))) return undefined;
  } else {
    await tx.events.insert(row);
  }
  await fanOut(tx, row, now);
  return row;
}

/** The outbox as the sink of usage alerts: each is recorded once and sent to its subscribers. */
export const outboxUsageEvents: UsageEventSink = {
  async recordOnce(tx, event) {
    await emitPrepared(tx, event, event.created_at, true);
  },
};
