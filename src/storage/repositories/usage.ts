/** Hourly usage counters and the recent-request log, written in batches by the usage recorder. */
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, RequestLogTable, UsageHourlyTable } from '../schema.ts';

export type UsageHourRow = Selectable<UsageHourlyTable>;
export type RequestLogRow = Selectable<RequestLogTable>;
export type NewRequestLogRow = Omit<RequestLogRow, 'seq'>;

export const REQUEST_LOG_KEEP = 1000;

export class UsageRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Adds counts to their hours (insert or increment, the same SQL on both dialects). */
  async addHourly(rows: readonly UsageHourRow[]): Promise<void> {
    for (const r of rows) {
      await this.db
        .insertInto('usage_hourly')
        .values(r)
        .onConflict((oc) =>
          oc.columns(['credential_id', 'hour']).doUpdateSet({
            requests: sql`usage_hourly.requests + excluded.requests`,
            errors_4xx: sql`usage_hourly.errors_4xx + excluded.errors_4xx`,
            errors_5xx: sql`usage_hourly.errors_5xx + excluded.errors_5xx`,
            rate_limited: sql`usage_hourly.rate_limited + excluded.rate_limited`,
          }),
        )
        .execute();
    }
  }

  async appendRequests(rows: readonly NewRequestLogRow[]): Promise<void> {
    if (rows.length === 0) return;
    for (let i = 0; i < rows.length; i += 500) {
      await this.db
        .insertInto('request_log')
        .values(rows.slice(i, i + 500))
        .execute();
    }
  }

  /** Keeps the newest REQUEST_LOG_KEEP rows of each credential. */
  async pruneRequests(credentialIds: readonly string[]): Promise<void> {
    for (const id of credentialIds) {
      const cutoff = await this.db
        .selectFrom('request_log')
        .select('seq')
        .where('credential_id', '=', id)
        .orderBy('seq', 'desc')
        .offset(REQUEST_LOG_KEEP)
        .limit(1)
        .executeTakeFirst();
      if (cutoff) {
        await this.db
          .deleteFrom('request_log')
          .where('credential_id', '=', id)
          .where('seq', '<=', cutoff.seq)
          .execute();
      }
    }
  }

  hourly(
    scope: { workspaceId: string; credentialId?: string | undefined },
    from: number,
    to: number,
  ): Promise<UsageHourRow[]> {
    let q = this.db
      .selectFrom('usage_hourly')
      .selectAll()
      .where('workspace_id', '=', scope.workspaceId)
      .where('hour', '>=', from)
      .where('hour', '<', to);
    if (scope.credentialId) q = q.where('credential_id', '=', scope.credentialId);
    return q.orderBy('hour').execute();
  }

  recentRequests(
    credentialId: string,
    options: {
      limit: number;
      beforeSeq?: number | undefined;
      status?: 'success' | 'error' | number | undefined;
    },
  ): Promise<RequestLogRow[]> {
    let q = this.db.selectFrom('request_log').selectAll().where('credential_id', '=', credentialId);
    if (options.beforeSeq !== undefined) q = q.where('seq', '<', options.beforeSeq);
    if (options.status === 'success') q = q.where('status', '<', 400);
    else if (options.status === 'error') q = q.where('status', '>=', 400);
    else if (typeof options.status === 'number') q = q.where('status', '=', options.status);
    return q.orderBy('seq', 'desc').limit(options.limit).execute();
  }
}
