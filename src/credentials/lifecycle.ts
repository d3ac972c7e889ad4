/** Revoke, expire and delete: each change and its cache invalidation are logged in one transaction. */
import { KeywardError } from '../core/errors.ts';
import type { Repositories } from '../storage/index.ts';
import type { CredentialRow } from '../storage/repositories/credentials.ts';
import type { CredentialContext } from './context.ts';

/** `workspaceId` null means "any workspace" (the CLI addresses keys by id alone). */
async function findOrThrow(tx: Repositories, workspaceId: string | null, id: string): Promise<CredentialRow> {
  const row = workspaceId === null ? await tx.credentials.getById(id) : await tx.credentials.get(workspaceId, id);
  if (!row) throw new KeywardError('ERR_NOT_FOUND', `credential ${id} not found`);
  return row;
}

async function change(
  ctx: CredentialContext,
  workspaceId: string | null,
  id: string,
  apply: (tx: Repositories, row: CredentialRow, now: number) => Promise<void>,
): Promise<CredentialRow> {
  const now = ctx.clock.now();
  const row = await ctx.storage.transaction(async (tx) => {
    const current = await findOrThrow(tx, workspaceId, id);
    await apply(tx, current, now);
    await tx.invalidations.record(current.workspace_id, current.id, now);
    return (await tx.credentials.getById(id)) ?? current;
  });
  await ctx.notify({ workspaceId: row.workspace_id, credentialId: row.id });
  return row;
}

/** Permanent: a revoked credential never works again. Revoking twice is harmless. */
export function revokeCredential(ctx: CredentialContext, workspaceId: string | null, id: string) {
  return change(ctx, workspaceId, id, async (tx, row, now) => {
    await tx.credentials.revoke(row.id, now);
  });
}

/** Expires now (`at` omitted) or at a later time. A revoked credential stays revoked. */
export function expireCredential(ctx: CredentialContext, workspaceId: string | null, id: string, at?: number) {
  return change(ctx, workspaceId, id, async (tx, row, now) => {
    if (row.revoked_at !== null) throw new KeywardError('ERR_CONFLICT', 'this credential is revoked');
    await tx.credentials.update(row.id, { expires_at: at ?? now, updated_at: now });
  });
}

/** Removes the credential from lists; its secrets stop working at once. */
export function deleteCredential(ctx: CredentialContext, workspaceId: string | null, id: string) {
  return change(ctx, workspaceId, id, async (tx, row, now) => {
    await tx.credentials.update(row.id, { deleted_at: now, updated_at: now });
  });
}
