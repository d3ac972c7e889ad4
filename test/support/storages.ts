/**
 * The storage matrix: every storage suite runs on SQLite and, when KEYWARD_TEST_DATABASE_URL is set,
 * on PostgreSQL in a schema of its own that is dropped afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, it } from 'vitest';
import { openStorage, type Storage } from '../../src/storage/index.ts';
import { testDatabaseUrl, uniqueName } from './services.ts';

export interface TestDatabase {
  /** A URL another process (the CLI, a second server) can open. */
  url: string;
  /** Extra options to open the same database (the PostgreSQL schema). */
  schema?: string;
  storage: Storage;
  /** Closes the storage and removes the database. */
  drop(): Promise<void>;
}

export interface CreateOptions {
  /** False leaves the database empty (a migration test runs the migrations itself). */
  migrate?: boolean;
}

export interface DialectCase {
  name: 'sqlite' | 'postgres';
  /** Undefined when the dialect's service is not available (the suite is skipped loudly). */
  create: ((options?: CreateOptions) => Promise<TestDatabase>) | undefined;
}

export async function createSqliteDatabase(options: CreateOptions = {}): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-test-'));
  const url = `sqlite:${join(dir, 'keyward.db')}`;
  const storage = openStorage(url);
  if (options.migrate !== false) await storage.migrate();
  return {
    url,
    storage,
    async drop() {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function createPostgresDatabase(
  baseUrl: string,
  options: CreateOptions = {},
): Promise<TestDatabase> {
  const schema = uniqueName('kw');
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  await admin.end();
  const storage = openStorage(baseUrl, { schema });
  if (options.migrate !== false) await storage.migrate();
  return {
    url: withSearchPath(baseUrl, schema),
    schema,
    storage,
    async drop() {
      await storage.close();
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`drop schema if exists "${schema}" cascade`);
      await c.end();
    },
  };
}

/** A connection URL whose sessions use the schema (for spawned processes). */
function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export function dialects(): DialectCase[] {
  const pgUrl = testDatabaseUrl();
  return [
    { name: 'sqlite', create: createSqliteDatabase },
    { name: 'postgres', create: pgUrl ? (options) => createPostgresDatabase(pgUrl, options) : undefined },
  ];
}

export type CreateDatabase = (options?: CreateOptions) => Promise<TestDatabase>;

/**
 * Runs `body` once per storage dialect; a dialect whose service is missing shows as one skipped test
 * (and, under CI, `dialects()` throws instead: a skip there is a failure).
 */
export function describeDialects(
  title: string,
  body: (create: CreateDatabase, name: DialectCase['name']) => void,
): void {
  describe.each(dialects())(`${title} on $name`, ({ name, create }) => {
    if (!create) {
      it.skip('needs its database service (see the warning above)', () => {});
      return;
    }
    body(create, name);
  });
}
