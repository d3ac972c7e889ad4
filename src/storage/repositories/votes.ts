/** Votes on posts: one per voter per post, enforced by a unique constraint. */
import type { Kysely, Selectable } from 'kysely';
import { fetchPage, type Page, type PageRequest } from '../page.ts';
import type { Database, VoteTable } from '../schema.ts';

export type VoteRow = Selectable<VoteTable>;

export class VoteRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: VoteRow): Promise<VoteRow> {
    await this.db.insertInto('votes').values(row).execute();
    return row;
  }

  get(workspaceId: string, id: string): Promise<VoteRow | undefined> {
    return this.db
      .selectFrom('votes')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  listByPost(workspaceId: string, postId: string, page: PageRequest): Promise<Page<VoteRow>> {
    const q = this.db
      .selectFrom('votes')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('post_id', '=', postId);
    return fetchPage(q, 'votes.id', page);
  }

  async delete(workspaceId: string, id: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('votes')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
