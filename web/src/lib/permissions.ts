/** What a role may do in the dashboard, mirroring the management API's role checks. */
import type { Role } from '../api.ts';

const RANK: Record<Role, number> = { member: 0, admin: 1, owner: 2 };

export const roleAtLeast = (role: Role, needed: Role): boolean => RANK[role] >= RANK[needed];

/** Why a button is disabled, in words; undefined when the role is enough. */
export function deniedReason(role: Role, needed: Role): string | undefined {
  if (roleAtLeast(role, needed)) return undefined;
  const who = needed === 'owner' ? 'workspace owners' : 'admins and owners';
  return `Only ${who} can do this; you are ${role === 'admin' ? 'an admin' : 'a member'}.`;
}
