/** Creating workspace users (API, CLI and first-run setup share this). */
import { type Actor, recordAudit } from '../audit/record.ts';
import { emailSchema, passwordSchema, ROLES } from '../contract/accounts.ts';
import { KeywardError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import type { Repositories, Storage } from '../storage/index.ts';
import type { MemberRow } from '../storage/repositories/users.ts';
import type { Role } from '../storage/schema.ts';
import { hashPassword } from './passwords.ts';

// Roles, email and password rules are part of the API contract: defined in src/contract, used here.
export { emailSchema, passwordSchema, ROLES };

const RANK: Record<Role, number> = { member: 0, admin: 1, owner: 2 };
export const roleAtLeast = (role: Role, needed: Role): boolean => RANK[role] >= RANK[needed];

export interface NewUser {
  workspaceId: string;
  email: string;
  /** Display name, kept for a new person only. */
  name?: string | null | undefined;
  /** Absent for people who arrive through the admin API or a portal link (no password sign-in). */
  password?: string | undefined;
  role: Role;
}

export function presentUser(u: MemberRow) {
  return {
    id: u.id,
    workspace_id: u.workspace_id,
    email: u.email,
    name: u.name,
    role: u.role,
    created_at: new Date(u.created_at).toISOString(),
  };
}

/**
 * Makes the person with this email a member of the workspace inside `tx`, creating the person when
 * there is none. A password (hashed before, outside any transaction) is only ever set on a new
 * person: adding someone to a second workspace must not let that workspace's owner choose their
 * password. Already a member: 409.
 */
export async function insertUser(
  tx: Repositories,
  input: NewUser,
  passwordHash: string | null,
  actor: Actor,
  now: number,
): Promise<MemberRow> {
  const email = input.email.toLowerCase();
  let person = await tx.users.byEmail(email);
  if (person && passwordHash !== null)
    throw new KeywardError(
      'ERR_CONFLICT',
      `${email} already has an account: add them without a password, they keep their own.`,
    );
  if (person && (await tx.users.get(input.workspaceId, person.id)))
    throw new KeywardError('ERR_CONFLICT', `${email} is already a member of this workspace.`);
  if (!person) {
    person = {
      id: newId('user', now),
      email,
      name: input.name ?? null,
      password_hash: passwordHash,
      created_at: now,
      updated_at: now,
    };
    try {
      await tx.users.insertPerson(person);
    } catch (err) {
      // A person with this email was created by a concurrent request.
      if (isUniqueViolation(err)) throw new KeywardError('ERR_CONFLICT', `${email} already has an account.`);
      throw err;
    }
  }
  await tx.users.insertMembership({
    user_id: person.id,
    workspace_id: input.workspaceId,
    role: input.role,
    created_at: now,
    updated_at: now,
  });
  const member: MemberRow = { ...person, workspace_id: input.workspaceId, role: input.role, created_at: now };
  await recordAudit(
    tx,
    actor,
    {
      workspaceId: input.workspaceId,
      action: 'user.created',
      targetType: 'user',
      targetId: member.id,
      after: { email: member.email, role: member.role },
    },
    now,
  );
  return member;
}

export async function createUser(
  storage: Storage,
  input: NewUser,
  actor: Actor,
  now: number,
): Promise<MemberRow> {
  const email = emailSchema.safeParse(input.email);
  if (!email.success) throw new KeywardError('ERR_VALIDATION', 'email is not a valid address');
  const password = input.password === undefined ? undefined : passwordSchema.safeParse(input.password);
  if (password && !password.success)
    throw new KeywardError('ERR_VALIDATION', `password must have ${password.error.issues[0]?.message}`);
  if (!(ROLES as readonly string[]).includes(input.role))
    throw new KeywardError('ERR_VALIDATION', `role must be one of ${ROLES.join(', ')}`);
  if (!(await storage.workspaces.get(input.workspaceId))) {
    throw new KeywardError('ERR_NOT_FOUND', `workspace ${input.workspaceId} not found`);
  }
  const hash = input.password === undefined ? null : await hashPassword(input.password);
  return storage.transaction((tx) => insertUser(tx, { ...input, email: email.data }, hash, actor, now));
}
