/** Workspace events (usage alerts today; the webhook outbox builds on them). */
import type { Kysely, Selectable } from 'kysely';
import { CompiledStatement } from '../compiled.ts';
import type { DialectName } from '../dialect.ts';
import { fetchPage, type Page, type PageRequest } from '../page.ts';
import type { Database, EventTable } from '../schema.ts';

export type EventRow = Selectable<EventTable>;

/** Every write of the feedback API records one: compiled once (storage/compiled.ts). */
const insertEvent = new CompiledStatement<EventRow>(
  ['id', 'workspace_id', 'type', 'data', 'created_at'],
  (db, row) => db.insertInto('events').values(row),
);

export class EventRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  async insert(row: EventRow): Promise<void> {
    await insertEvent.execute(this.db, this.dialect, row);
  }

  /** Inserts unless an event with the same id exists (alerts from several instances); true if inserted. */
  async insertIgnoringDuplicate(row: EventRow): Promise<boolean> {
    const r = await this.db
      .insertInto('events')
      .values(row)
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  list(workspaceId: string, type: string | undefined, page: PageRequest): Promise<Page<EventRow>> {
    let q = this.db.selectFrom('events').selectAll().where('workspace_id', '=', workspaceId);
    if (type) q = q.where('type', '=', type);
    return fetchPage(q, 'events.id', page);
  }
}
