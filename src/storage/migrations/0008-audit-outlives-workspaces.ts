/**
 * An audit entry outlives its workspace: `audit_log.workspace_id` loses its cascading foreign key, so
 * deleting a workspace keeps its history and the `workspace.deleted` entry that says who deleted it
 * (the operator's audit feed and a SIEM following it still see both).
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../dialect.ts';

export const auditOutlivesWorkspaces = (dialect: DialectName): Migration => ({
  // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types
  up: (db: Kysely<any>) => (dialect === 'postgres' ? upPostgres(db) : upSqlite(db)),
});

// PostgreSQL names an inline foreign key `<table>_<column>_fkey`.
// biome-ignore lint/suspicious/noExplicitAny: as above
async function upPostgres(db: Kysely<any>): Promise<void> {
  await sql`alter table audit_log drop constraint audit_log_workspace_id_fkey`.execute(db);
}

/** SQLite cannot drop a constraint: the table is rebuilt without it, in one transaction. */
// biome-ignore lint/suspicious/noExplicitAny: as above
async function upSqlite(db: Kysely<any>): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.schema
      .createTable('audit_log_new')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('actor_type', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('actor_label', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text')
      .addColumn('ip', 'text')
      .addColumn('before', 'text')
      .addColumn('after', 'text')
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .execute();
    await sql`insert into audit_log_new
              select id, workspace_id, actor_type, actor_id, actor_label, action, target_type, target_id,
                     ip, before, after, created_at
              from audit_log`.execute(tx);
    await tx.schema.dropTable('audit_log').execute();
    await tx.schema.alterTable('audit_log_new').renameTo('audit_log').execute();
    await tx.schema
      .createIndex('audit_log_workspace')
      .on('audit_log')
      .columns(['workspace_id', 'id'])
      .execute();
  });
}
