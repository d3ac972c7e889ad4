/** Creating workspace users (API, CLI and first-run setup share this). */
import { type Actor, recordAudit } from '../audit/record.ts';
import { emailSchema, passwordSchema, ROLES } from '../contract/accounts.ts';
import { KeywardError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import type { Repositories, Storage } from '../storage/index.ts';
import type { UserRow } from '../storage/repositories/users.ts';
import type { Role } from '../storage/schema.ts';
import { hashPassword } from './passwords.ts';

// Roles, email and password rules are part of the API contract: defined in src/contract, used here.
export { emailSchema, passwordSchema, ROLES };

const RANK: Record<Role, number> = { member: 0, admin: 1, owner: 2 };
export const roleAtLeast = (role: Role, needed: Role): boolean => RANK[role] >= RANK[needed];

export interface NewUser {
  workspaceId: string;
  email: string;
  password: string;
  role: Role;
}

export function presentUser(u: UserRow) {
  return {
    id: u.id,
    workspace_id: u.workspace_id,
    email: u.email,
    role: u.role,
    created_at: new Date(u.created_at).toISOString(),
  };
}

/** Inserts the user inside `tx`; the password is hashed before, outside any transaction. */
export async function insertUser(
  tx: Repositories,
  input: NewUser,
  passwordHash: string,
  actor: Actor,
  now: number,
) {
  const row: UserRow = {
    id: newId('user', now),
    workspace_id: input.workspaceId,
    email: input.email.toLowerCase(),
    password_hash: passwordHash,
    role: input.role,
    created_at: now,
    updated_at: now,
  };
  try {
    await tx.users.insert(row);
  } catch (err) {
    if (isUniqueViolation(err))
      throw new KeywardError('ERR_CONFLICT', `A user with email ${row.email} already exists.`);
    throw err;
  }
  await recordAudit(
    tx,
    actor,
    {
      workspaceId: row.workspace_id,
      action: 'user.created',
      targetType: 'user',
      targetId: row.id,
      after: { email: row.email, role: row.role },
    },
    now,
  );
  return row;
}

export async function createUser(
  storage: Storage,
  input: NewUser,
  actor: Actor,
  now: number,
): Promise<UserRow> {
  const email = emailSchema.safeParse(input.email);
  if (!email.success) throw new KeywardError('ERR_VALIDATION', 'email is not a valid address');
  const password = passwordSchema.safeParse(input.password);
  if (!password.success)
    throw new KeywardError('ERR_VALIDATION', `password must have ${password.error.issues[0]?.message}`);
  if (!(ROLES as readonly string[]).includes(input.role))
    throw new KeywardError('ERR_VALIDATION', `role must be one of ${ROLES.join(', ')}`);
  if (!(await storage.workspaces.get(input.workspaceId))) {
    throw new KeywardError('ERR_NOT_FOUND', `workspace ${input.workspaceId} not found`);
  }
  const hash = await hashPassword(input.password);
  return storage.transaction((tx) => insertUser(tx, { ...input, email: email.data }, hash, actor, now));
}
