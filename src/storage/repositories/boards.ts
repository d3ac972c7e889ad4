/** Boards of a workspace, each with the count of its posts. */
import type { Kysely, Selectable } from 'kysely';
import { fetchPage, type Page, type PageRequest } from '../page.ts';
import type { BoardTable, Database } from '../schema.ts';

export type BoardRow = Selectable<BoardTable> & { post_count: number };

export class BoardRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private select(workspaceId: string) {
    return this.db
      .selectFrom('boards')
      .selectAll('boards')
      .select((eb) =>
        eb
          .selectFrom('posts')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('posts.board_id', '=', 'boards.id')
          .as('post_count'),
      )
      .where('boards.workspace_id', '=', workspaceId);
  }

  private static normalise(row: Omit<BoardRow, 'post_count'> & { post_count: unknown }): BoardRow {
    return { ...row, post_count: Number(row.post_count ?? 0) };
  }

  async insert(row: Selectable<BoardTable>): Promise<BoardRow> {
    await this.db.insertInto('boards').values(row).execute();
    return { ...row, post_count: 0 };
  }

  /** Whether it exists in the workspace: a primary-key probe, without the counts `get` computes. */
  async exists(workspaceId: string, id: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('boards')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row !== undefined;
  }

  async get(workspaceId: string, id: string): Promise<BoardRow | undefined> {
    const row = await this.select(workspaceId).where('boards.id', '=', id).executeTakeFirst();
    return row ? BoardRepository.normalise(row) : undefined;
  }

  async list(workspaceId: string, page: PageRequest): Promise<Page<BoardRow>> {
    const result = await fetchPage(this.select(workspaceId), 'boards.id', page);
    return { ...result, items: result.items.map(BoardRepository.normalise) };
  }

  async update(
    workspaceId: string,
    id: string,
    patch: Partial<Pick<BoardRow, 'name' | 'slug' | 'description' | 'updated_at'>>,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('boards')
      .set(patch)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async delete(workspaceId: string, id: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('boards')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
