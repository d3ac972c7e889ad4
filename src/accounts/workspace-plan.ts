/**
 * Changing a workspace's plan: the operator's decision (admin API, `keyward workspace set-plan`),
 * never the customer's. Takes effect on the next request on every instance, like a revoke: the
 * change is logged for the invalidation poll and published.
 */
import { type Actor, recordAudit } from '../audit/record.ts';
import type { InvalidationMessage } from '../cache/invalidation-bus.ts';
import type { Clock } from '../core/clock.ts';
import { KeywardError } from '../core/errors.ts';
import type { Plan } from '../core/plans.ts';
import type { Storage } from '../storage/index.ts';
import type { WorkspaceRow } from '../storage/repositories/workspaces.ts';

export interface PlanChangeContext {
  storage: Storage;
  clock: Clock;
  plans: Map<string, Plan>;
  notify: (m: InvalidationMessage) => Promise<void>;
}

export async function setWorkspacePlan(
  ctx: PlanChangeContext,
  workspaceId: string,
  plan: string,
  actor: Actor,
): Promise<WorkspaceRow> {
  if (!ctx.plans.has(plan)) {
    throw new KeywardError(
      'ERR_VALIDATION',
      `Unknown plan "${plan}"; choose one of ${[...ctx.plans.keys()].join(', ')}.`,
      {
        issues: [{ path: ['plan'], message: `expected one of ${[...ctx.plans.keys()].join(', ')}` }],
      },
    );
  }
  const now = ctx.clock.now();
  const updated = await ctx.storage.transaction(async (tx) => {
    const current = await tx.workspaces.get(workspaceId);
    if (!current) throw new KeywardError('ERR_NOT_FOUND', `Workspace ${workspaceId} not found.`);
    if (current.plan === plan) return current;
    await tx.workspaces.update(workspaceId, { plan });
    await tx.invalidations.record(workspaceId, null, now);
    await recordAudit(
      tx,
      actor,
      {
        workspaceId,
        action: 'workspace.plan_changed',
        targetType: 'workspace',
        targetId: workspaceId,
        before: { plan: current.plan },
        after: { plan },
      },
      now,
    );
    return { ...current, plan };
  });
  await ctx.notify({ workspaceId, credentialId: null });
  return updated;
}
