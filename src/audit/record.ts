/** Writes audit entries: actor, action, target and what changed (secrets are never passed here). */
import { newId } from '../core/ids.ts';
import type { Repositories } from '../storage/index.ts';

export interface Actor {
  type: 'user' | 'cli' | 'credential' | 'system' | 'operator';
  id?: string | null | undefined;
  /** Email of a user, name of a credential or operator token. */
  label?: string | null | undefined;
  ip?: string | null | undefined;
}

export const CLI_ACTOR: Actor = { type: 'cli', label: 'keyward CLI' };
export const SYSTEM_ACTOR: Actor = { type: 'system', label: 'keyward' };

export interface AuditEntry {
  workspaceId: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before?: object | null;
  after?: object | null;
}

export async function recordAudit(
  tx: Repositories,
  actor: Actor,
  entry: AuditEntry,
  now: number,
): Promise<void> {
  await tx.audit.insert({
    id: newId('audit', now),
    workspace_id: entry.workspaceId,
    actor_type: actor.type,
    actor_id: actor.id ?? null,
    actor_label: actor.label ?? null,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId,
    ip: actor.ip ?? null,
    before: entry.before ? JSON.stringify(entry.before) : null,
    after: entry.after ? JSON.stringify(entry.after) : null,
    created_at: now,
  });
}

/** Only the fields that differ, as {before, after}. */
export function diff<T extends object>(
  before: T,
  after: Partial<T>,
): { before: Partial<T>; after: Partial<T> } {
  const b: Partial<T> = {};
  const a: Partial<T> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      b[key] = before[key];
      a[key] = after[key];
    }
  }
  return { before: b, after: a };
}
