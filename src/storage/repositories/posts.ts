/** Posts on a board, each with the count of its votes. */
import type { Kysely, Selectable } from 'kysely';
import { fetchPage, type Page, type PageRequest } from '../page.ts';
import type { Database, PostTable } from '../schema.ts';

export type PostRow = Selectable<PostTable> & { vote_count: number };

export class PostRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private select(workspaceId: string) {
    return this.db
      .selectFrom('posts')
      .selectAll('posts')
      .select((eb) =>
        eb
          .selectFrom('votes')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('votes.post_id', '=', 'posts.id')
          .as('vote_count'),
      )
      .where('posts.workspace_id', '=', workspaceId);
  }

  private static normalise(row: Omit<PostRow, 'vote_count'> & { vote_count: unknown }): PostRow {
    return { ...row, vote_count: Number(row.vote_count ?? 0) };
  }

  async insert(row: Selectable<PostTable>): Promise<PostRow> {
    await this.db.insertInto('posts').values(row).execute();
    return { ...row, vote_count: 0 };
  }

  /** Whether it exists in the workspace: a primary-key probe, without the counts `get` computes. */
  async exists(workspaceId: string, id: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('posts')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row !== undefined;
  }

  async get(workspaceId: string, id: string): Promise<PostRow | undefined> {
    const row = await this.select(workspaceId).where('posts.id', '=', id).executeTakeFirst();
    return row ? PostRepository.normalise(row) : undefined;
  }

  async listByBoard(
    workspaceId: string,
    boardId: string,
    filter: { status?: string | undefined },
    page: PageRequest,
  ): Promise<Page<PostRow>> {
    let q = this.select(workspaceId).where('posts.board_id', '=', boardId);
    if (filter.status) q = q.where('posts.status', '=', filter.status);
    const result = await fetchPage(q, 'posts.id', page);
    return { ...result, items: result.items.map(PostRepository.normalise) };
  }

  async update(
    workspaceId: string,
    id: string,
    patch: Partial<Pick<PostRow, 'title' | 'body' | 'status' | 'author' | 'updated_at'>>,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('posts')
      .set(patch)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async delete(workspaceId: string, id: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('posts')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
