/** Workspaces: id, name, plan and settings. */
import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../core/ids.ts';
import { fetchPage, type Page, type PageRequest } from '../page.ts';
import type { Database, WorkspaceTable } from '../schema.ts';

export type WorkspaceRow = Selectable<WorkspaceTable>;

export class WorkspaceRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(
    input: { name: string; plan: string; settings?: object; externalId?: string | null },
    now: number,
  ): Promise<WorkspaceRow> {
    const row: WorkspaceRow = {
      id: newId('workspace', now),
      name: input.name,
      plan: input.plan,
      settings: JSON.stringify(input.settings ?? {}),
      external_id: input.externalId ?? null,
      created_at: now,
    };
    await this.db.insertInto('workspaces').values(row).execute();
    return row;
  }

  get(id: string): Promise<WorkspaceRow | undefined> {
    return this.db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Inside a transaction, holds the workspace row until it ends (a no-op write: a row lock on
   * PostgreSQL, the write lock on SQLite), so checks like "is another owner left?" cannot interleave.
   */
  async lock(id: string): Promise<void> {
    await this.db
      .updateTable('workspaces')
      .set((eb) => ({ name: eb.ref('name') }))
      .where('id', '=', id)
      .execute();
  }

  list(): Promise<WorkspaceRow[]> {
    return this.db.selectFrom('workspaces').selectAll().orderBy('id').execute();
  }

  /** A page of workspaces, newest first; `externalId` matches exactly. */
  page(filter: { externalId?: string | undefined }, page: PageRequest): Promise<Page<WorkspaceRow>> {
    let q = this.db.selectFrom('workspaces').selectAll();
    if (filter.externalId !== undefined) q = q.where('external_id', '=', filter.externalId);
    return fetchPage(q, 'workspaces.id', page);
  }

  findByExternalId(externalId: string): Promise<WorkspaceRow | undefined> {
    return this.db
      .selectFrom('workspaces')
      .selectAll()
      .where('external_id', '=', externalId)
      .executeTakeFirst();
  }

  /** Removes the workspace and, by cascade, everything it holds; false when there was none. */
  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('workspaces').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async update(
    id: string,
    patch: Partial<Pick<WorkspaceRow, 'name' | 'plan' | 'settings' | 'external_id'>>,
  ): Promise<WorkspaceRow | undefined> {
    await this.db.updateTable('workspaces').set(patch).where('id', '=', id).execute();
    return this.get(id);
  }
}
