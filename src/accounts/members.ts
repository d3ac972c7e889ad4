/**
 * Changing a member's role and removing a member, audited: the management API (an owner, who may not
 * leave a workspace without an owner) and the admin API (the operator, who may) share this.
 */
import { type Actor, recordAudit } from '../audit/record.ts';
import { KeywardError } from '../core/errors.ts';
import type { Repositories, Storage } from '../storage/index.ts';
import type { MemberRow } from '../storage/repositories/users.ts';
import type { Role } from '../storage/schema.ts';

export interface MemberChange {
  workspaceId: string;
  userId: string;
  actor: Actor;
  now: number;
  /** Refuse (409) a change that leaves the workspace without an owner. */
  keepAnOwner: boolean;
}

const lastOwner = () => new KeywardError('ERR_CONFLICT', 'A workspace needs at least one owner.');

/** The member, read under the workspace's lock so owner changes in one workspace go one at a time. */
async function lockedMember(tx: Repositories, change: MemberChange): Promise<MemberRow> {
  await tx.workspaces.lock(change.workspaceId);
  const user = await tx.users.get(change.workspaceId, change.userId);
  if (!user) throw new KeywardError('ERR_NOT_FOUND', `User ${change.userId} not found.`);
  return user;
}

export function changeRole(storage: Storage, change: MemberChange, role: Role): Promise<MemberRow> {
  return storage.transaction(async (tx) => {
    const user = await lockedMember(tx, change);
    const demotesOwner = user.role === 'owner' && role !== 'owner';
    if (change.keepAnOwner && demotesOwner && (await tx.users.countOwners(change.workspaceId)) <= 1)
      throw lastOwner();
    await tx.users.setRole(change.workspaceId, user.id, role, change.now);
    await recordAudit(
      tx,
      change.actor,
      {
        workspaceId: change.workspaceId,
        action: 'user.role_changed',
        targetType: 'user',
        targetId: user.id,
        before: { role: user.role },
        after: { role },
      },
      change.now,
    );
    return { ...user, role, updated_at: change.now };
  });
}

/** Removes the member; their sessions in the workspace end at once. */
export function removeMember(storage: Storage, change: MemberChange): Promise<void> {
  return storage.transaction(async (tx) => {
    const user = await lockedMember(tx, change);
    if (change.keepAnOwner && user.role === 'owner' && (await tx.users.countOwners(change.workspaceId)) <= 1)
      throw lastOwner();
    await tx.users.removeMember(change.workspaceId, user.id);
    await recordAudit(
      tx,
      change.actor,
      {
        workspaceId: change.workspaceId,
        action: 'user.removed',
        targetType: 'user',
        targetId: user.id,
        before: { email: user.email, role: user.role },
      },
      change.now,
    );
  });
}
