/**
 * People in several workspaces: `users` becomes one row per person (email unique, a password only
 * for those who sign in with one, a display name), `memberships` holds the role in each workspace,
 * and a session names the workspace it is in. Every existing user, role and session is kept.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../dialect.ts';

export const memberships = (dialect: DialectName): Migration => ({
  // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types
  up: (db: Kysely<any>) => (dialect === 'postgres' ? upPostgres(db) : upSqlite(db)),
});

// biome-ignore lint/suspicious/noExplicitAny: as above
function createMemberships(db: Kysely<any>, time: 'bigint' | 'integer', usersTable: string) {
  return db.schema
    .createTable('memberships')
    .addColumn('user_id', 'text', (c) => c.notNull().references(`${usersTable}.id`).onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .addPrimaryKeyConstraint('memberships_pk', ['user_id', 'workspace_id'])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: as above
async function membershipIndexes(db: Kysely<any>) {
  await db.schema
    .createIndex('memberships_workspace')
    .on('memberships')
    .columns(['workspace_id', 'user_id'])
    .execute();
}

// PostgreSQL changes tables in place, inside the migrator's transaction.
// biome-ignore lint/suspicious/noExplicitAny: as above
async function upPostgres(db: Kysely<any>): Promise<void> {
  await createMemberships(db, 'bigint', 'users');
  await sql`insert into memberships (user_id, workspace_id, role, created_at, updated_at)
            select id, workspace_id, role, created_at, updated_at from users`.execute(db);
  await membershipIndexes(db);

  await db.schema
    .alterTable('sessions')
    .addColumn('workspace_id', 'text', (c) => c.references('workspaces.id').onDelete('cascade'))
    .execute();
  await sql`update sessions set workspace_id = users.workspace_id from users
            where users.id = sessions.user_id`.execute(db);
  await sql`alter table sessions alter column workspace_id set not null`.execute(db);

  await db.schema.dropIndex('users_workspace').execute();
  await db.schema.alterTable('users').dropColumn('workspace_id').execute();
  await db.schema.alterTable('users').dropColumn('role').execute();
  await db.schema.alterTable('users').addColumn('name', 'text').execute();
  await sql`alter table users alter column password_hash drop not null`.execute(db);
}

/**
 * SQLite cannot drop a column used by a foreign key or relax NOT NULL, so `users` and `sessions` are
 * rebuilt: the new tables reference each other (and `memberships` references the new `users`) before
 * the old ones are dropped, so no cascade from the old tables touches the copies; renaming the new
 * `users` then rewrites those references. One transaction: the migrator gives SQLite none.
 */
// biome-ignore lint/suspicious/noExplicitAny: as above
async function upSqlite(db: Kysely<any>): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.schema
      .createTable('users_new')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text')
      .addColumn('password_hash', 'text')
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'integer', (c) => c.notNull())
      .execute();
    await sql`insert into users_new (id, email, name, password_hash, created_at, updated_at)
              select id, email, null, password_hash, created_at, updated_at from users`.execute(tx);

    await createMemberships(tx, 'integer', 'users_new');
    await sql`insert into memberships (user_id, workspace_id, role, created_at, updated_at)
              select id, workspace_id, role, created_at, updated_at from users`.execute(tx);

    await tx.schema
      .createTable('sessions_new')
      .addColumn('id_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users_new.id').onDelete('cascade'))
      .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
      .addColumn('csrf_token', 'text', (c) => c.notNull())
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .addColumn('last_seen_at', 'integer', (c) => c.notNull())
      .addColumn('expires_at', 'integer', (c) => c.notNull())
      .execute();
    await sql`insert into sessions_new (id_hash, user_id, workspace_id, csrf_token, created_at, last_seen_at, expires_at)
              select s.id_hash, s.user_id, u.workspace_id, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at
              from sessions s join users u on u.id = s.user_id`.execute(tx);

    await tx.schema.dropTable('sessions').execute();
    await tx.schema.dropTable('users').execute();
    await tx.schema.alterTable('users_new').renameTo('users').execute();
    await tx.schema.alterTable('sessions_new').renameTo('sessions').execute();
    await tx.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
    await membershipIndexes(tx);
  });
}
