/** Runs the migrations through Kysely's migrator; safe when two instances start at once. */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { DialectName } from './dialect.ts';
import { foundation } from './migrations/0001-foundation.ts';
import { management } from './migrations/0002-management.ts';
import { webhooks } from './migrations/0003-webhooks.ts';
import { webhookRetention } from './migrations/0004-webhook-retention.ts';
import { operators } from './migrations/0005-operators.ts';
import { memberships } from './migrations/0006-memberships.ts';
import { portalLinks } from './migrations/0007-portal-links.ts';
import { auditOutlivesWorkspaces } from './migrations/0008-audit-outlives-workspaces.ts';
import type { Database } from './schema.ts';

export function migrationsFor(dialect: DialectName): Record<string, Migration> {
  return {
    '0001-foundation': foundation(dialect),
    '0002-management': management(dialect),
    '0003-webhooks': webhooks(dialect),
    '0004-webhook-retention': webhookRetention(),
    '0005-operators': operators(dialect),
    '0006-memberships': memberships(dialect),
    '0007-portal-links': portalLinks(dialect),
    '0008-audit-outlives-workspaces': auditOutlivesWorkspaces(dialect),
  };
}

class InCodeProvider implements MigrationProvider {
  constructor(private readonly dialect: DialectName) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrationsFor(this.dialect);
  }
}

/**
 * PostgreSQL: the schema the session writes to. Kysely looks for its bookkeeping tables in every
 * schema unless told which one, so a second Keyward schema in the same database (tests, a staging
 * copy) made it skip creating them and then fail on `kysely_migration_lock does not exist`.
 */
async function migrationSchemaOf(db: Kysely<Database>, dialect: DialectName): Promise<string | undefined> {
  if (dialect !== 'postgres') return undefined;
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

export async function migrateToLatest(db: Kysely<Database>, dialect: DialectName): Promise<string[]> {
  const migrationTableSchema = await migrationSchemaOf(db, dialect);
  const migrator = new Migrator({ db, provider: new InCodeProvider(dialect), migrationTableSchema });
  // Two instances may race to create Kysely's own bookkeeping tables; the loser simply tries again.
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    if (attempt >= 5) throw error;
    await sql`select 1`.execute(db);
    await new Promise((r) => setTimeout(r, 50 * attempt));
  }
}
