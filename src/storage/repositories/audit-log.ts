/** The audit log: who changed what, when, from where, with before/after (never a secret). */
import type { Insertable, Kysely, Selectable } from 'kysely';
import { fetchPage, type Page, type PageRequest } from '../page.ts';
import type { AuditLogTable, Database } from '../schema.ts';

export type AuditRow = Selectable<AuditLogTable>;

export interface AuditFilter {
  action?: string | undefined;
  targetId?: string | undefined;
  actorId?: string | undefined;
}

export class AuditLogRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: Insertable<AuditLogTable>): Promise<void> {
    await this.db.insertInto('audit_log').values(row).execute();
  }

  list(workspaceId: string, filter: AuditFilter, page: PageRequest): Promise<Page<AuditRow>> {
    let q = this.db.selectFrom('audit_log').selectAll().where('workspace_id', '=', workspaceId);
    if (filter.action) q = q.where('action', '=', filter.action);
    if (filter.targetId) q = q.where('target_id', '=', filter.targetId);
    if (filter.actorId) q = q.where('actor_id', '=', filter.actorId);
    return fetchPage(q, 'audit_log.id', page);
  }

  /** Every workspace's entries, oldest first, after the entry `after` (for a follower such as a SIEM). */
  feed(after: string | undefined, limit: number): Promise<AuditRow[]> {
    let q = this.db.selectFrom('audit_log').selectAll().orderBy('id', 'asc').limit(limit);
    if (after !== undefined) q = q.where('id', '>', after);
    return q.execute();
  }
}
