/**
 * Webhook endpoints: create (the secret returned once), change, delete, rotate the secret with an
 * overlap. Shared by the public API (integration tokens) and the management API (admins); every
 * change is audited in its own transaction. Sending again by hand is in resend.ts.
 */
import { type Actor, diff, recordAudit } from '../audit/record.ts';
import { DEFAULT_SECRET_OVERLAP_SECONDS } from '../contract/webhooks.ts';
import type { Clock } from '../core/clock.ts';
import { KeywardError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Storage } from '../storage/index.ts';
import type { WebhookEndpointRow } from '../storage/repositories/webhook-endpoints.ts';
import { type DestinationPolicy, destinationProblem, type ResolveAll } from './destination.ts';
import { newSigningSecret } from './signing.ts';

export interface WebhookContext {
  storage: Storage;
  clock: Clock;
  policy: DestinationPolicy;
  resolve?: ResolveAll | undefined;
}

export const notFound = (id: string) =>
  new KeywardError('ERR_NOT_FOUND', `Webhook endpoint ${id} not found.`);

/** `*` alone when everything is subscribed; otherwise each type once, in a stable order. */
export function normaliseEvents(events: readonly string[]): string[] {
  return events.includes('*') ? ['*'] : [...new Set(events)].sort();
}

/** The audited view of an endpoint (never its secret). */
const auditView = (e: WebhookEndpointRow) => ({
  url: e.url,
  description: e.description,
  events: JSON.parse(e.events) as string[],
  enabled: e.enabled === 1,
});

async function assertDestination(ctx: WebhookContext, url: string): Promise<void> {
  const problem = await destinationProblem(url, ctx.policy, ctx.resolve);
  if (problem) {
    throw new KeywardError('ERR_VALIDATION', `url: ${problem}`, {
      issues: [{ code: 'custom', path: ['url'], message: problem, location: 'body' }],
    });
  }
}

export async function findEndpoint(
  ctx: WebhookContext,
  workspaceId: string,
  id: string,
): Promise<WebhookEndpointRow> {
  const row = await ctx.storage.webhooks.endpoints.get(workspaceId, id);
  if (!row) throw notFound(id);
  return row;
}

export interface EndpointInput {
  url: string;
  events: string[];
  description?: string | undefined;
}

export async function createEndpoint(
  ctx: WebhookContext,
  workspaceId: string,
  input: EndpointInput,
  actor: Actor,
) {
  await assertDestination(ctx, input.url);
  const now = ctx.clock.now();
  const row: WebhookEndpointRow = {
    id: newId('webhook', now),
    workspace_id: workspaceId,
    url: input.url,
    description: input.description ?? '',
    events: JSON.stringify(normaliseEvents(input.events)),
    enabled: 1,
    secret: newSigningSecret(),
    previous_secret: null,
    previous_secret_expires_at: null,
    failing_since: null,
    disabled_at: null,
    disabled_reason: null,
    created_at: now,
    updated_at: now,
  };
  await ctx.storage.transaction(async (tx) => {
    await tx.webhooks.endpoints.insert(row);
    await recordAudit(
      tx,
      actor,
      {
        workspaceId,
        action: 'webhook.created',
        targetType: 'webhook',
        targetId: row.id,
        after: auditView(row),
      },
      now,
    );
  });
  return row;
}

export interface EndpointPatchInput {
  url?: string | undefined;
  events?: string[] | undefined;
  description?: string | undefined;
  enabled?: boolean | undefined;
}

export async function updateEndpoint(
  ctx: WebhookContext,
  workspaceId: string,
  id: string,
  patch: EndpointPatchInput,
  actor: Actor,
) {
  if (patch.url !== undefined) await assertDestination(ctx, patch.url);
  const now = ctx.clock.now();
  return ctx.storage.transaction(async (tx) => {
    const current = await tx.webhooks.endpoints.get(workspaceId, id);
    if (!current) throw notFound(id);
    const enabling = patch.enabled === true && current.enabled === 0;
    const disabling = patch.enabled === false && current.enabled === 1;
    await tx.webhooks.endpoints.update(workspaceId, id, {
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.events !== undefined ? { events: JSON.stringify(normaliseEvents(patch.events)) } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(enabling ? { enabled: 1, disabled_at: null, disabled_reason: null, failing_since: null } : {}),
      ...(disabling ? { enabled: 0, disabled_at: now, disabled_reason: 'disabled by hand' } : {}),
      updated_at: now,
    });
    // Nothing is sent to a disabled endpoint: what was waiting is given up (it can be redelivered).
    if (disabling) await tx.webhooks.deliveries.failPending(id, now, 'endpoint disabled');
    const updated = (await tx.webhooks.endpoints.get(workspaceId, id)) as WebhookEndpointRow;
    const changes = diff(auditView(current), auditView(updated));
    await recordAudit(
      tx,
      actor,
      { workspaceId, action: 'webhook.updated', targetType: 'webhook', targetId: id, ...changes },
      now,
    );
    return updated;
  });
}

export async function deleteEndpoint(
  ctx: WebhookContext,
  workspaceId: string,
  id: string,
  actor: Actor,
): Promise<void> {
  const now = ctx.clock.now();
  await ctx.storage.transaction(async (tx) => {
    const current = await tx.webhooks.endpoints.get(workspaceId, id);
    if (!current || !(await tx.webhooks.endpoints.delete(workspaceId, id))) throw notFound(id);
    await recordAudit(
      tx,
      actor,
      {
        workspaceId,
        action: 'webhook.deleted',
        targetType: 'webhook',
        targetId: id,
        before: auditView(current),
      },
      now,
    );
  });
}

/**
 * A new signing secret, returned once. The old one keeps signing for `overlapSeconds` (deliveries
 * then carry both signatures), so receivers can switch without dropping a message; 0 ends it now.
 */
export async function rotateSecret(
  ctx: WebhookContext,
  workspaceId: string,
  id: string,
  overlapSeconds: number = DEFAULT_SECRET_OVERLAP_SECONDS,
  actor: Actor,
) {
  const now = ctx.clock.now();
  const secret = newSigningSecret();
  const row = await ctx.storage.transaction(async (tx) => {
    const current = await tx.webhooks.endpoints.get(workspaceId, id);
    if (!current) throw notFound(id);
    const until = overlapSeconds > 0 ? now + overlapSeconds * 1000 : null;
    await tx.webhooks.endpoints.update(workspaceId, id, {
      secret,
      previous_secret: until === null ? null : current.secret,
      previous_secret_expires_at: until,
      updated_at: now,
    });
    await recordAudit(
      tx,
      actor,
      {
        workspaceId,
        action: 'webhook.secret_rotated',
        targetType: 'webhook',
        targetId: id,
        after: { previous_secret_valid_until: until },
      },
      now,
    );
    return (await tx.webhooks.endpoints.get(workspaceId, id)) as WebhookEndpointRow;
  });
  return { row, secret };
}
