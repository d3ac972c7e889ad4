/** Revoke, expire and delete: each change and its cache invalidation are logged in one transaction. */
import { type Actor, recordAudit, SYSTEM_ACTOR } from '../audit/record.ts';
import { KeywardError } from '../core/errors.ts';
import type { Repositories } from '../storage/index.ts';
import type { CredentialRow } from '../storage/repositories/credentials.ts';
import { emitEvent } from '../webhooks/emit.ts';
import { credentialEventData, expiredEventId } from '../webhooks/payloads.ts';
import type { CredentialContext } from './context.ts';

/** `workspaceId` null means "any workspace" (the CLI addresses keys by id alone). */
async function findOrThrow(tx: Repositories, workspaceId: string | null, id: string): Promise<CredentialRow> {
  const row =
    workspaceId === null ? await tx.credentials.getById(id) : await tx.credentials.get(workspaceId, id);
  if (!row) throw new KeywardError('ERR_NOT_FOUND', `credential ${id} not found`);
  return row;
}

export const kindLabel = (row: CredentialRow) => (row.kind === 'api_key' ? 'api_key' : 'integration');

/** The fields an audit entry shows of a credential (never a secret or hash). */
export const auditView = (row: CredentialRow) => ({
  name: row.name,
  description: row.description,
  scopes: JSON.parse(row.scopes) as string[],
  rate_limit: row.rate_limit,
  expires_at: row.expires_at,
  revoked_at: row.revoked_at,
  deleted_at: row.deleted_at,
});

/**
 * Applies a change to one credential inside a transaction that also logs the cache invalidation
 * and the audit entry, then tells the caches. `apply` resolves to false when it changed nothing (revoking
 * a revoked key): then nothing is logged and no cache is told.
 */
export async function changeCredential(
  ctx: CredentialContext,
  workspaceId: string | null,
  id: string,
  action: string,
  actor: Actor,
  apply: (tx: Repositories, row: CredentialRow, now: number) => Promise<unknown>,
): Promise<CredentialRow> {
  const now = ctx.clock.now();
  const { row, changed } = await ctx.storage.transaction(async (tx) => {
    const current = await findOrThrow(tx, workspaceId, id);
    if ((await apply(tx, current, now)) === false) return { row: current, changed: false };
    await tx.invalidations.record(current.workspace_id, current.id, now);
    const updated = (await tx.credentials.getById(id)) ?? (await tx.credentials.getDeleted(id)) ?? current;
    await recordAudit(
      tx,
      actor,
      {
        workspaceId: current.workspace_id,
        action: `${kindLabel(current)}.${action}`,
        targetType: kindLabel(current),
        targetId: current.id,
        before: auditView(current),
        after: auditView(updated),
      },
      now,
    );
    return { row: updated, changed: true };
  });
  if (changed) await ctx.notify({ workspaceId: row.workspace_id, credentialId: row.id });
  return row;
}

/** Permanent: a revoked credential never works again. Revoking twice is harmless. */
export function revokeCredential(
  ctx: CredentialContext,
  workspaceId: string | null,
  id: string,
  actor: Actor = SYSTEM_ACTOR,
) {
  return changeCredential(ctx, workspaceId, id, 'revoked', actor, async (tx, row, now) => {
    if (!(await tx.credentials.revoke(row.id, now))) return false;
    await emitEvent(
      tx,
      row.workspace_id,
      'credential.revoked',
      credentialEventData({ ...row, revoked_at: now }),
      now,
    );
  });
}

/**
 * Expires now (`at` omitted) or at a later time. A revoked credential stays revoked, and an expired
 * one stays expired: expiring it now again changes nothing, and a later time would revive it.
 */
export function expireCredential(
  ctx: CredentialContext,
  workspaceId: string | null,
  id: string,
  at?: number,
  actor: Actor = SYSTEM_ACTOR,
) {
  return changeCredential(ctx, workspaceId, id, 'expired', actor, async (tx, row, now) => {
    if (row.revoked_at !== null) throw new KeywardError('ERR_CONFLICT', 'This credential is revoked.');
    if (row.expires_at !== null && row.expires_at <= now) {
      if (at === undefined) return false;
      throw new KeywardError('ERR_CONFLICT', 'This credential has already expired; create a new one.');
    }
    if (at !== undefined && at < now)
      throw new KeywardError('ERR_VALIDATION', 'The expiry time is in the past; omit it to expire now.');
    await tx.credentials.update(row.id, { expires_at: at ?? now, updated_at: now });
    // A later expiry is reported when it passes (src/webhooks/expiry-sweep.ts, same event id).
    if (at === undefined || at <= now) {
      const expiresAt = at ?? now;
      const data = credentialEventData({ ...row, expires_at: expiresAt });
      await emitEvent(tx, row.workspace_id, 'credential.expired', data, now, {
        id: expiredEventId(row.id, expiresAt),
      });
    }
  });
}

/** Removes the credential from lists; its secrets stop working at once. */
export function deleteCredential(
  ctx: CredentialContext,
  workspaceId: string | null,
  id: string,
  actor: Actor = SYSTEM_ACTOR,
) {
  return changeCredential(ctx, workspaceId, id, 'deleted', actor, async (tx, row, now) => {
    await tx.credentials.update(row.id, { deleted_at: now, updated_at: now });
  });
}
