/**
 * Workspaces as the operator manages them: created for its customers (named by its own external id),
 * renamed, moved between plans and deleted, every change audited with the operator as the actor.
 */

import { setWorkspacePlan } from '../accounts/workspace-plan.ts';
import { type Actor, diff, recordAudit } from '../audit/record.ts';
import { KeywardError } from '../core/errors.ts';
import { iso } from '../core/time.ts';
import type { CredentialContext } from '../credentials/context.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import type { Repositories, Storage } from '../storage/index.ts';
import type { WorkspaceRow } from '../storage/repositories/workspaces.ts';

export const DEFAULT_PLAN = 'professional';

export function presentWorkspace(row: WorkspaceRow) {
  return {
    id: row.id,
    name: row.name,
    plan: row.plan,
    external_id: row.external_id,
    created_at: iso(row.created_at),
  };
}

const notFound = (id: string) => new KeywardError('ERR_NOT_FOUND', `Workspace ${id} not found.`);

/** The workspace, or ERR_NOT_FOUND. */
export async function findWorkspace(storage: Storage, id: string): Promise<WorkspaceRow> {
  const row = await storage.workspaces.get(id);
  if (!row) throw notFound(id);
  return row;
}

function taken(workspaceId?: string): KeywardError {
  return new KeywardError(
    'ERR_CONFLICT',
    'Another workspace already has this external_id.',
    workspaceId ? { workspace_id: workspaceId } : undefined,
  );
}

function checkPlan(ctx: CredentialContext, plan: string): void {
  if (ctx.plans.has(plan)) return;
  const known = [...ctx.plans.keys()].join(', ');
  throw new KeywardError('ERR_VALIDATION', `Unknown plan "${plan}"; choose one of ${known}.`, {
    issues: [{ path: ['plan'], message: `expected one of ${known}` }],
  });
}

/** Refuses an external id another workspace holds (the unique index is the last word, under races). */
async function checkExternalId(tx: Repositories, externalId: string | null, self?: string): Promise<void> {
  if (externalId === null) return;
  const holder = await tx.workspaces.findByExternalId(externalId);
  if (holder && holder.id !== self) throw taken(holder.id);
}

async function conflictAsError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isUniqueViolation(err)) throw taken();
    throw err;
  }
}

export async function createWorkspace(
  ctx: CredentialContext,
  input: { name: string; plan?: string | undefined; external_id?: string | null | undefined },
  actor: Actor,
): Promise<WorkspaceRow> {
  const plan = input.plan ?? DEFAULT_PLAN;
  checkPlan(ctx, plan);
  const externalId = input.external_id ?? null;
  const now = ctx.clock.now();
  return conflictAsError(() =>
    ctx.storage.transaction(async (tx) => {
      await checkExternalId(tx, externalId);
      const row = await tx.workspaces.create({ name: input.name, plan, externalId }, now);
      await recordAudit(
        tx,
        actor,
        {
          workspaceId: row.id,
          action: 'workspace.created',
          targetType: 'workspace',
          targetId: row.id,
          after: { name: row.name, plan: row.plan, external_id: row.external_id },
        },
        now,
      );
      return row;
    }),
  );
}

/**
 * Renames, re-keys and re-plans a workspace. The plan goes through setWorkspacePlan (effective at
 * the next request on every instance); it is checked first, so a bad plan changes nothing.
 */
export async function updateWorkspace(
  ctx: CredentialContext,
  id: string,
  patch: { name?: string | undefined; plan?: string | undefined; external_id?: string | null | undefined },
  actor: Actor,
): Promise<WorkspaceRow> {
  if (patch.plan !== undefined) checkPlan(ctx, patch.plan);
  const fields: Partial<Pick<WorkspaceRow, 'name' | 'external_id'>> = {};
  if (patch.name !== undefined) fields.name = patch.name;
  if (patch.external_id !== undefined) fields.external_id = patch.external_id;
  const now = ctx.clock.now();
  let row = await conflictAsError(() =>
    ctx.storage.transaction(async (tx) => {
      const current = await tx.workspaces.get(id);
      if (!current) throw notFound(id);
      const changes = diff(current, fields);
      if (Object.keys(changes.after).length === 0) return current;
      if (fields.external_id !== undefined) await checkExternalId(tx, fields.external_id, id);
      const updated = (await tx.workspaces.update(id, changes.after)) ?? current;
      await recordAudit(
        tx,
        actor,
        { workspaceId: id, action: 'workspace.updated', targetType: 'workspace', targetId: id, ...changes },
        now,
      );
      return updated;
    }),
  );
  if (patch.plan !== undefined) row = await setWorkspacePlan(ctx, id, patch.plan, actor);
  return row;
}

/**
 * Every credential of the workspace stops working at once (like a revoke: the invalidation is
 * logged for every instance's poll and published), then the workspace and all it holds are gone:
 * its members are removed as one by one would be (a person left in no workspace is deleted).
 * Its usage counters and audit entries stay (they carry no foreign key), so billing can still read
 * the one and the audit feed ends the other with `workspace.deleted`.
 */
export async function deleteWorkspace(ctx: CredentialContext, id: string, actor: Actor): Promise<void> {
  const now = ctx.clock.now();
  await ctx.storage.transaction(async (tx) => {
    const row = await tx.workspaces.get(id);
    if (!row) throw notFound(id);
    await tx.invalidations.record(id, null, now);
    for (const member of await tx.users.list(id)) await tx.users.removeMember(id, member.id);
    await tx.workspaces.delete(id);
    await recordAudit(
      tx,
      actor,
      {
        workspaceId: id,
        action: 'workspace.deleted',
        targetType: 'workspace',
        targetId: id,
        before: { name: row.name, plan: row.plan, external_id: row.external_id },
      },
      now,
    );
  });
  await ctx.notify({ workspaceId: id, credentialId: null });
}
