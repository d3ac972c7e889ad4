/**
 * The feedback tables: boards, their posts and the votes on posts. Every row belongs to a workspace
 * and is addressed by (workspace, id), so what the three repositories share lives in one base; a
 * board is read with the count of its posts and a post with the count of its votes, the same way.
 */
import { type Kysely, type Selectable, sql, type Updateable } from 'kysely';
import { CompiledStatement } from '../storage/compiled.ts';
import type { DialectName } from '../storage/dialect.ts';
import { fetchPage, type Page, type PageRequest } from '../storage/page.ts';
import type { BoardTable, Database, PostTable, VoteTable } from '../storage/schema.ts';

type FeedbackTable = 'boards' | 'posts' | 'votes';

export type BoardRow = Selectable<BoardTable> & { post_count: number };
export type PostRow = Selectable<PostTable> & { vote_count: number };
export type VoteRow = Selectable<VoteTable>;

/** The parts of every feedback repository: rows of `table`, always within one workspace. */
class WorkspaceRows<T extends FeedbackTable> {
  constructor(
    protected readonly db: Kysely<Database>,
    protected readonly dialect: DialectName,
    protected readonly table: T,
  ) {}

  /** Whether it exists in the workspace: a primary-key probe, without the counts a read computes. */
  async exists(workspaceId: string, id: string): Promise<boolean> {
    const row = await this.db
      .selectFrom(this.table as FeedbackTable)
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row !== undefined;
  }

  async update(workspaceId: string, id: string, patch: Updateable<Database[T]>): Promise<boolean> {
    const r = await this.db
      .updateTable(this.table as FeedbackTable)
      .set(patch as Updateable<Database[FeedbackTable]>)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async delete(workspaceId: string, id: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom(this.table as FeedbackTable)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

/**
 * Inserts a row only if its parent (the board of a post, the post of a vote) is in the row's
 * workspace, in one statement (`insert … select … from <parent>`): no probe before, no window
 * between probe and insert. Nothing is inserted when the parent is not there (a parent deleted
 * concurrently may also surface as a foreign-key violation). Compiled once: every post and every
 * vote runs it.
 */
function insertUnder<Row extends { workspace_id: string }>(
  table: 'posts' | 'votes',
  parent: { table: 'boards' | 'posts'; column: keyof Row & string },
  columns: readonly (keyof Row & string)[],
) {
  return new CompiledStatement<Row>(columns, (db, row) =>
    db
      .insertInto(table)
      .columns(columns as never)
      .expression((eb) =>
        eb
          .selectFrom(parent.table)
          .select(columns.map((c) => eb.val(row[c]).as(c)))
          .where('workspace_id', '=', row.workspace_id)
          .where('id', '=', row[parent.column] as string),
      ),
  );
}

const insertPost = insertUnder<Selectable<PostTable>>('posts', { table: 'boards', column: 'board_id' }, [
  'id',
  'workspace_id',
  'board_id',
  'title',
  'body',
  'status',
  'author',
  'created_at',
  'updated_at',
]);
const insertVote = insertUnder<VoteRow>('votes', { table: 'posts', column: 'post_id' }, [
  'id',
  'workspace_id',
  'post_id',
  'voter',
  'created_at',
]);

const inserted = (r: { numAffectedRows?: bigint }) => Number(r.numAffectedRows ?? 0) > 0;

/**
 * Rows read with the number of their children (a board's posts, a post's votes) as `countAs`,
 * counted by one correlated subquery: the counts are never stored, so they cannot drift.
 */
class CountedRows<T extends 'boards' | 'posts', Row> extends WorkspaceRows<T> {
  constructor(
    db: Kysely<Database>,
    dialect: DialectName,
    table: T,
    private readonly children: {
      table: 'posts' | 'votes';
      parentColumn: 'board_id' | 'post_id';
      countAs: 'post_count' | 'vote_count';
    },
  ) {
    super(db, dialect, table);
  }

  protected selectCounted(workspaceId: string) {
    const { table, parentColumn } = this.children;
    const count = sql<number>`(select count(*) from ${sql.table(table)} where ${sql.ref(`${table}.${parentColumn}`)} = ${sql.ref(`${this.table}.id`)})`;
    return this.db
      .selectFrom(this.table as 'boards' | 'posts')
      .selectAll()
      .select(count.as('child_count'))
      .where('workspace_id', '=', workspaceId);
  }

  /** The row as stored plus its count (a number: PostgreSQL answers count(*) as int8 text). */
  protected counted(row: { child_count: unknown }): Row {
    const { child_count, ...stored } = row;
    return { ...stored, [this.children.countAs]: Number(child_count ?? 0) } as Row;
  }

  async get(workspaceId: string, id: string): Promise<Row | undefined> {
    const row = await this.selectCounted(workspaceId).where('id', '=', id).executeTakeFirst();
    return row ? this.counted(row) : undefined;
  }

  protected async page(
    query: ReturnType<CountedRows<T, Row>['selectCounted']>,
    page: PageRequest,
  ): Promise<Page<Row>> {
    const result = await fetchPage(query, `${this.table}.id` as 'boards.id', page);
    return { ...result, items: result.items.map((row) => this.counted(row)) };
  }
}

export class BoardRepository extends CountedRows<'boards', BoardRow> {
  constructor(db: Kysely<Database>, dialect: DialectName) {
    super(db, dialect, 'boards', { table: 'posts', parentColumn: 'board_id', countAs: 'post_count' });
  }

  async insert(row: Selectable<BoardTable>): Promise<BoardRow> {
    await this.db.insertInto('boards').values(row).execute();
    return { ...row, post_count: 0 };
  }

  list(workspaceId: string, page: PageRequest): Promise<Page<BoardRow>> {
    return this.page(this.selectCounted(workspaceId), page);
  }
}

export class PostRepository extends CountedRows<'posts', PostRow> {
  constructor(db: Kysely<Database>, dialect: DialectName) {
    super(db, dialect, 'posts', { table: 'votes', parentColumn: 'post_id', countAs: 'vote_count' });
  }

  /** Inserts the post, or nothing when its board is not in its workspace (undefined then). */
  async insert(row: Selectable<PostTable>): Promise<PostRow | undefined> {
    return inserted(await insertPost.execute(this.db, this.dialect, row))
      ? { ...row, vote_count: 0 }
      : undefined;
  }

  listByBoard(
    workspaceId: string,
    boardId: string,
    filter: { status?: string | undefined },
    page: PageRequest,
  ): Promise<Page<PostRow>> {
    let q = this.selectCounted(workspaceId).where('board_id', '=', boardId);
    if (filter.status) q = q.where('status', '=', filter.status);
    return this.page(q, page);
  }
}

/** Votes on posts: one per voter per post, enforced by a unique constraint. */
export class VoteRepository extends WorkspaceRows<'votes'> {
  constructor(db: Kysely<Database>, dialect: DialectName) {
    super(db, dialect, 'votes');
  }

  /** Inserts the vote, or nothing when its post is not in its workspace (undefined then). */
  async insert(row: VoteRow): Promise<VoteRow | undefined> {
    return inserted(await insertVote.execute(this.db, this.dialect, row)) ? row : undefined;
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
}
