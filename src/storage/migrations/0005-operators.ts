/** The operator's side: operator tokens (hashed), and workspaces named by the operator's own id. */
import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../dialect.ts';

export const operators = (dialect: DialectName): Migration => ({
  // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types
  up: (db: Kysely<any>) => up(db, dialect === 'postgres'),
});

// biome-ignore lint/suspicious/noExplicitAny: as above
async function up(db: Kysely<any>, isPostgres: boolean): Promise<void> {
  const time = isPostgres ? 'bigint' : 'integer';

  await db.schema
    .createTable('operator_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('access', 'text', (c) => c.notNull())
    // sha256(secret), hex: the secret itself is never stored.
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('start', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('revoked_at', time)
    .execute();

  // The operator's id for the workspace (its customer or tenant id), unique when set.
  await db.schema.alterTable('workspaces').addColumn('external_id', 'text').execute();
  await db.schema
    .createIndex('workspaces_external_id')
    .on('workspaces')
    .column('external_id')
    .unique()
    .execute();
}
