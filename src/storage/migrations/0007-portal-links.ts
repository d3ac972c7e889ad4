/** One-time portal links (stored by hash) and the operator page a portal session goes back to. */
import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../dialect.ts';

export const portalLinks = (dialect: DialectName): Migration => ({
  // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types
  up: (db: Kysely<any>) => up(db, dialect === 'postgres' ? 'bigint' : 'integer'),
});

// biome-ignore lint/suspicious/noExplicitAny: as above
async function up(db: Kysely<any>, time: 'bigint' | 'integer'): Promise<void> {
  await db.schema
    .createTable('portal_links')
    // sha256(token), hex: the link itself is never stored.
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('return_url', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('expires_at', time, (c) => c.notNull())
    .addColumn('used_at', time)
    .execute();
  await db.schema.createIndex('portal_links_expiry').on('portal_links').column('expires_at').execute();

  await db.schema.alterTable('sessions').addColumn('return_url', 'text').execute();
}
