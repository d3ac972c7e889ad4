/** Webhook endpoints: where a workspace's events go, with their signing secrets and health. */
import type { Kysely, Selectable } from 'kysely';
import { fetchPage, type Page, type PageRequest } from '../page.ts';
import type { Database, WebhookEndpointTable } from '../schema.ts';

export type WebhookEndpointRow = Selectable<WebhookEndpointTable>;

export type EndpointPatch = Partial<
  Pick<
    WebhookEndpointRow,
    | 'url'
    | 'description'
    | 'events'
    | 'enabled'
    | 'secret'
    | 'previous_secret'
    | 'previous_secret_expires_at'
    | 'failing_since'
    | 'disabled_at'
    | 'disabled_reason'
    | 'updated_at'
  >
>;

export class WebhookEndpointRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: WebhookEndpointRow): Promise<void> {
    await this.db.insertInto('webhook_endpoints').values(row).execute();
  }

  get(workspaceId: string, id: string): Promise<WebhookEndpointRow | undefined> {
    return this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  list(workspaceId: string, page: PageRequest): Promise<Page<WebhookEndpointRow>> {
    const q = this.db.selectFrom('webhook_endpoints').selectAll().where('workspace_id', '=', workspaceId);
    return fetchPage(q, 'webhook_endpoints.id', page);
  }

  /** The enabled endpoints of a workspace (few per workspace: subscriptions are matched in code). */
  enabled(workspaceId: string): Promise<WebhookEndpointRow[]> {
    return this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('enabled', '=', 1)
      .execute();
  }

  async update(workspaceId: string, id: string, patch: EndpointPatch): Promise<boolean> {
    const r = await this.db
      .updateTable('webhook_endpoints')
      .set(patch)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async delete(workspaceId: string, id: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('webhook_endpoints')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Disables an enabled endpoint; false when another worker (or a person) already did. */
  async disableIfEnabled(id: string, now: number, reason: string): Promise<boolean> {
    const r = await this.db
      .updateTable('webhook_endpoints')
      .set({ enabled: 0, disabled_at: now, disabled_reason: reason, updated_at: now })
      .where('id', '=', id)
      .where('enabled', '=', 1)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Starts the failure streak at `now` unless one is running; returns when it started, and whether the endpoint is enabled. */
  async markFailing(id: string, now: number): Promise<{ since: number; enabled: boolean }> {
    await this.db
      .updateTable('webhook_endpoints')
      .set({ failing_since: now })
      .where('id', '=', id)
      .where('failing_since', 'is', null)
      .execute();
    const row = await this.db
      .selectFrom('webhook_endpoints')
      .select(['failing_since', 'enabled'])
      .where('id', '=', id)
      .executeTakeFirst();
    return { since: row?.failing_since ?? now, enabled: row?.enabled === 1 };
  }

  async markHealthy(id: string): Promise<void> {
    await this.db
      .updateTable('webhook_endpoints')
      .set({ failing_since: null })
      .where('id', '=', id)
      .where('failing_since', 'is not', null)
      .execute();
  }
}
