/** Users and sessions, the audit log, usage counters, the request log and workspace events. */
import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../dialect.ts';

export const management = (dialect: DialectName): Migration => ({
  // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types
  up: (db: Kysely<any>) => up(db, dialect === 'postgres'),
});

// biome-ignore lint/suspicious/noExplicitAny: as above
async function up(db: Kysely<any>, isPostgres: boolean): Promise<void> {
  const time = isPostgres ? 'bigint' : 'integer';
  const serial = isPostgres ? 'bigserial' : 'integer';

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_workspace').on('users').columns(['workspace_id', 'id']).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('last_seen_at', time, (c) => c.notNull())
    .addColumn('expires_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_label', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('audit_log_workspace')
    .on('audit_log')
    .columns(['workspace_id', 'id'])
    .execute();

  await db.schema
    .createTable('usage_hourly')
    .addColumn('credential_id', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('hour', time, (c) => c.notNull())
    .addColumn('requests', time, (c) => c.notNull().defaultTo(0))
    .addColumn('errors_4xx', time, (c) => c.notNull().defaultTo(0))
    .addColumn('errors_5xx', time, (c) => c.notNull().defaultTo(0))
    .addColumn('rate_limited', time, (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('usage_hourly_pk', ['credential_id', 'hour'])
    .execute();
  await db.schema
    .createIndex('usage_hourly_workspace')
    .on('usage_hourly')
    .columns(['workspace_id', 'hour'])
    .execute();

  await db.schema
    .createTable('request_log')
    .addColumn('seq', serial, (c) => (isPostgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('credential_id', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('latency_ms', isPostgres ? 'double precision' : 'real', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('request_log_credential')
    .on('request_log')
    .columns(['credential_id', 'seq'])
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_workspace').on('events').columns(['workspace_id', 'id']).execute();
}
