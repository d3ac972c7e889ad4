/**
 * The webhook outbox: deliveries (one per event and endpoint) with the leases workers claim them
 * under, and the log of their attempts.
 */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { DialectName } from '../dialect.ts';
import { fetchPage, type Page, type PageRequest } from '../page.ts';
import type {
  Database,
  WebhookAttemptTable,
  WebhookDeliveryStatus,
  WebhookDeliveryTable,
} from '../schema.ts';

export type WebhookDeliveryRow = Selectable<WebhookDeliveryTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptTable>;

/** A claimed delivery with what sending it needs: the endpoint's URL and secrets, the event. */
export interface ClaimedDelivery extends WebhookDeliveryRow {
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  enabled: number;
  failing_since: number | null;
  event_data: string;
  event_created_at: number;
}

export type DeliveryOutcome = Pick<
  WebhookDeliveryRow,
  | 'status'
  | 'attempts'
  | 'next_attempt_at'
  | 'last_attempt_at'
  | 'last_status'
  | 'last_error'
  | 'completed_at'
>;

export class WebhookDeliveryRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  async insert(rows: readonly WebhookDeliveryRow[]): Promise<void> {
    if (rows.length > 0)
      await this.db
        .insertInto('webhook_deliveries')
        .values([...rows])
        .execute();
  }

  get(workspaceId: string, endpointId: string, id: string): Promise<WebhookDeliveryRow | undefined> {
    return this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('endpoint_id', '=', endpointId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  list(
    workspaceId: string,
    endpointId: string,
    filter: { status?: WebhookDeliveryStatus | undefined; eventType?: string | undefined },
    page: PageRequest,
  ): Promise<Page<WebhookDeliveryRow>> {
    let q = this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('endpoint_id', '=', endpointId);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.eventType) q = q.where('event_type', '=', filter.eventType);
    return fetchPage(q, 'webhook_deliveries.id', page);
  }

  /** The attempts of these deliveries, oldest first. */
  attemptsOf(deliveryIds: readonly string[]): Promise<WebhookAttemptRow[]> {
    if (deliveryIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('delivery_id', 'in', [...deliveryIds])
      .orderBy('seq', 'asc')
      .execute();
  }

  /**
   * Deletes up to `limit` finished deliveries (succeeded or failed) completed before `before`, oldest
   * first, with their attempts; returns how many. Pending deliveries are never touched.
   */
  async pruneFinished(before: number, limit: number): Promise<number> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('status', '<>', 'pending')
      .where('completed_at', '<', before)
      .orderBy('completed_at')
      .limit(limit)
      .execute();
    const ids = rows.map((r) => r.id);
    if (ids.length === 0) return 0;
    await this.db.deleteFrom('webhook_attempts').where('delivery_id', 'in', ids).execute();
    await this.db.deleteFrom('webhook_deliveries').where('id', 'in', ids).execute();
    return ids.length;
  }

  async insertAttempt(row: Insertable<WebhookAttemptTable>): Promise<void> {
    await this.db.insertInto('webhook_attempts').values(row).execute();
  }

  private dueQuery(now: number, limit: number) {
    return this.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .orderBy('next_attempt_at')
      .limit(limit);
  }

  /**
   * Leases up to `limit` due deliveries to `token` until `leaseUntil`. PostgreSQL: rows another
   * worker is claiming are skipped (`FOR UPDATE SKIP LOCKED`), and the lease keeps them from being
   * claimed again until it ends. SQLite: the statement runs alone (one writer at a time).
   */
  async claim(now: number, limit: number, leaseUntil: number, token: string): Promise<ClaimedDelivery[]> {
    // Read first: an idle poll must not take SQLite's write lock (or PostgreSQL row locks).
    if ((await this.dueQuery(now, 1).execute()).length === 0) return [];
    const candidates =
      this.dialect === 'postgres'
        ? this.dueQuery(now, limit).forUpdate().skipLocked()
        : this.dueQuery(now, limit);
    const claimed = await this.db
      .updateTable('webhook_deliveries')
      .set({ locked_until: leaseUntil, locked_by: token })
      .where('id', 'in', candidates)
      .returning('id')
      .execute();
    if (claimed.length === 0) return [];
    return this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
      .innerJoin('events as v', 'v.id', 'd.event_id')
      .selectAll('d')
      .select([
        'e.url',
        'e.secret',
        'e.previous_secret',
        'e.previous_secret_expires_at',
        'e.enabled',
        'e.failing_since',
        'v.data as event_data',
        'v.created_at as event_created_at',
      ])
      .where(
        'd.id',
        'in',
        claimed.map((c) => c.id),
      )
      .where('d.locked_by', '=', token)
      .execute();
  }

  /** Records the outcome of a claimed delivery; false when the lease was lost (another worker took it). */
  async complete(id: string, token: string, outcome: DeliveryOutcome): Promise<boolean> {
    const r = await this.db
      .updateTable('webhook_deliveries')
      .set({ ...outcome, locked_until: null, locked_by: null })
      .where('id', '=', id)
      .where('locked_by', '=', token)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Gives up on an endpoint's pending deliveries (it was disabled). */
  async failPending(endpointId: string, now: number, reason: string): Promise<number> {
    const r = await this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'failed', next_attempt_at: null, completed_at: now, last_error: reason })
      .where('endpoint_id', '=', endpointId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async countPending(): Promise<number> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
