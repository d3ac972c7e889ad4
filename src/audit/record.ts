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

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';
let lastAuditId = '';

/**
 * Audit ids increase in the order this process writes them, even within one millisecond (ids alone
 * tie-break by their random part), so the admin API's oldest-first feed keeps that order.
 */
function nextAuditId(now: number): string {
  const id = newId('audit', now);
  lastAuditId = id > lastAuditId ? id : successor(lastAuditId);
  return lastAuditId;
}

/** The next id after `id` in sort order: its base36 tail plus one. */
function successor(id: string): string {
  const chars = [...id];
  for (let i = chars.length - 1; i >= 0; i--) {
    const digit = BASE36.indexOf(chars[i]!);
    if (digit < 0) break;
    if (digit < BASE36.length - 1) {
      chars[i] = BASE36[digit + 1]!;
      return chars.join('');
    }
    chars[i] = '0';
  }
  return `${id}0`;
}

export async function recordAudit(
  tx: Repositories,
  actor: Actor,
  entry: AuditEntry,
  now: number,
): Promise<void> {
  await tx.audit.insert({
    id: nextAuditId(now),
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
