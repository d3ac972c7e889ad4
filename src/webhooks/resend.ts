/**
 * Sending again by hand: a test event to one endpoint, or the event of an earlier delivery as a new
 * delivery (same `webhook-id`, so a receiver that already has it can tell).
 */
import { type Actor, recordAudit } from '../audit/record.ts';
import { TEST_EVENT_TYPE } from '../contract/webhooks.ts';
import { KeywardError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Repositories } from '../storage/index.ts';
import type { WebhookDeliveryRow } from '../storage/repositories/webhook-deliveries.ts';
import type { WebhookEndpointRow } from '../storage/repositories/webhook-endpoints.ts';
import { pendingDelivery } from './emit.ts';
import { notFound, type WebhookContext } from './endpoints.ts';

function assertEnabled(endpoint: WebhookEndpointRow): void {
  if (endpoint.enabled === 0)
    throw new KeywardError('ERR_CONFLICT', 'This endpoint is disabled; enable it first.');
}

/** Queues one delivery and audits it on its endpoint: how a test event and a redelivery both end. */
async function queueAudited(
  tx: Repositories,
  actor: Actor,
  delivery: WebhookDeliveryRow,
  action: string,
  after: Record<string, unknown>,
  now: number,
): Promise<WebhookDeliveryRow> {
  await tx.webhooks.deliveries.insert([delivery]);
  await recordAudit(
    tx,
    actor,
    {
      workspaceId: delivery.workspace_id,
      action,
      targetType: 'webhook',
      targetId: delivery.endpoint_id,
      after,
    },
    now,
  );
  return delivery;
}

/** Queues a `webhook.test` event to this endpoint only, whatever it subscribes to. */
export async function sendTestEvent(
  ctx: WebhookContext,
  workspaceId: string,
  id: string,
  actor: Actor,
): Promise<WebhookDeliveryRow> {
  const now = ctx.clock.now();
  return ctx.storage.transaction(async (tx) => {
    const endpoint = await tx.webhooks.endpoints.get(workspaceId, id);
    if (!endpoint) throw notFound(id);
    assertEnabled(endpoint);
    // Recorded without fan-out: a test event is for this endpoint alone.
    const event = {
      id: newId('event', now),
      workspace_id: workspaceId,
      type: TEST_EVENT_TYPE,
      created_at: now,
    };
    await tx.events.insert({
      ...event,
      data: JSON.stringify({ endpoint_id: id, message: 'This is a test event from Keyward.' }),
    });
    const delivery = pendingDelivery(event, id, now);
    return queueAudited(tx, actor, delivery, 'webhook.test_sent', { event_id: event.id }, now);
  });
}

/** Queues the event of an earlier delivery again, as a new delivery with the same `webhook-id`. */
export async function redeliver(
  ctx: WebhookContext,
  workspaceId: string,
  id: string,
  deliveryId: string,
  actor: Actor,
) {
  const now = ctx.clock.now();
  return ctx.storage.transaction(async (tx) => {
    const endpoint = await tx.webhooks.endpoints.get(workspaceId, id);
    if (!endpoint) throw notFound(id);
    const original = await tx.webhooks.deliveries.get(workspaceId, id, deliveryId);
    if (!original) throw new KeywardError('ERR_NOT_FOUND', `Delivery ${deliveryId} not found.`);
    assertEnabled(endpoint);
    const delivery = pendingDelivery(
      { id: original.event_id, workspace_id: workspaceId, type: original.event_type },
      id,
      now,
    );
    const after = { event_id: original.event_id, delivery_id: delivery.id };
    return queueAudited(tx, actor, delivery, 'webhook.redelivered', after, now);
  });
}
