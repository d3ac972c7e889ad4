/**
 * People, their memberships of workspaces, and their sessions (stored by hash). Most callers see a
 * person through one workspace: a `MemberRow` is the person joined with their role there.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, MembershipTable, Role, SessionTable, UserTable } from '../schema.ts';

export type PersonRow = Selectable<UserTable>;
export type MembershipRow = Selectable<MembershipTable>;
export type SessionRow = Selectable<SessionTable>;

/** A person as a member of one workspace; `created_at` is when they joined it. */
export interface MemberRow {
  id: string;
  workspace_id: string;
  email: string;
  name: string | null;
  password_hash: string | null;
  role: Role;
  created_at: number;
  updated_at: number;
}

/** One of a person's workspaces, for the session's switcher. */
export interface MembershipSummary {
  workspace_id: string;
  workspace_name: string;
  role: Role;
}

export class UserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private members() {
    return this.db
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select([
        'u.id',
        'm.workspace_id',
        'u.email',
        'u.name',
        'u.password_hash',
        'm.role',
        'm.created_at',
        'm.updated_at',
      ]);
  }

  async insertPerson(row: PersonRow): Promise<void> {
    await this.db.insertInto('users').values(row).execute();
  }

  async insertMembership(row: MembershipRow): Promise<void> {
    await this.db.insertInto('memberships').values(row).execute();
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  byEmail(email: string): Promise<PersonRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', email.toLowerCase())
      .executeTakeFirst();
  }

  async setPassword(id: string, passwordHash: string, now: number): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ password_hash: passwordHash, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  async setName(id: string, name: string, now: number): Promise<void> {
    await this.db.updateTable('users').set({ name, updated_at: now }).where('id', '=', id).execute();
  }

  /** The person `id` as a member of `workspaceId`; undefined when they are not one. */
  get(workspaceId: string, id: string): Promise<MemberRow | undefined> {
    return this.members().where('m.workspace_id', '=', workspaceId).where('u.id', '=', id).executeTakeFirst();
  }

  list(workspaceId: string): Promise<MemberRow[]> {
    return this.members().where('m.workspace_id', '=', workspaceId).orderBy('u.id').execute();
  }

  /** Every workspace of a person, the one they joined first first. */
  membershipsOf(userId: string): Promise<MembershipSummary[]> {
    return this.db
      .selectFrom('memberships as m')
      .innerJoin('workspaces as w', 'w.id', 'm.workspace_id')
      .select(['m.workspace_id', 'w.name as workspace_name', 'm.role'])
      .where('m.user_id', '=', userId)
      .orderBy('m.created_at')
      .orderBy('m.workspace_id')
      .execute();
  }

  async countOwners(workspaceId: string): Promise<number> {
    const row = await this.db
      .selectFrom('memberships')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('role', '=', 'owner')
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async setRole(workspaceId: string, id: string, role: Role, now: number): Promise<void> {
    await this.db
      .updateTable('memberships')
      .set({ role, updated_at: now })
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', id)
      .execute();
  }

  /**
   * Removes a person from a workspace and ends their sessions in it; a person left with no
   * workspace is deleted, so their email can be used afresh.
   */
  async removeMember(workspaceId: string, id: string): Promise<void> {
    await this.db
      .deleteFrom('sessions')
      .where('user_id', '=', id)
      .where('workspace_id', '=', workspaceId)
      .execute();
    await this.db
      .deleteFrom('memberships')
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', id)
      .execute();
    const left = await this.db
      .selectFrom('memberships')
      .select('user_id')
      .where('user_id', '=', id)
      .executeTakeFirst();
    if (!left) await this.db.deleteFrom('users').where('id', '=', id).execute();
  }

  // Sessions

  async createSession(row: SessionRow): Promise<void> {
    await this.db.insertInto('sessions').values(row).execute();
  }

  /** The session and its person as a member of the session's workspace (none once they left it). */
  async sessionWithUser(idHash: string): Promise<{ session: SessionRow; user: MemberRow } | undefined> {
    const session = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('id_hash', '=', idHash)
      .executeTakeFirst();
    if (!session) return undefined;
    const user = await this.get(session.workspace_id, session.user_id);
    return user ? { session, user } : undefined;
  }

  async touchSession(idHash: string, now: number): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
  }

  async setSessionWorkspace(idHash: string, workspaceId: string, now: number): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ workspace_id: workspaceId, last_seen_at: now })
      .where('id_hash', '=', idHash)
      .execute();
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }
}
