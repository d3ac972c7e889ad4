/** The soak's own database: a temporary SQLite file, or a PostgreSQL schema created for the run and dropped. */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';

export interface SoakDatabase {
  /** What the server is given as KEYWARD_DATABASE_URL. */
  url: string;
  /** For the report, without credentials. */
  label: string;
  /** Removes what was created; safe to call more than once. */
  drop(): Promise<void>;
}

export function sqliteDatabase(dir: string): SoakDatabase {
  const file = join(dir, 'keyward.db');
  // The file lives in the run's temporary folder, which the caller removes.
  return { url: `sqlite:${file}`, label: `SQLite ${file}`, drop: async () => {} };
}

/**
 * A schema of the run's own in the given database; the server reaches it through `search_path`, so
 * the soak never touches the tables of the tests or of anyone else using the same database.
 */
export async function postgresDatabase(baseUrl: string): Promise<SoakDatabase> {
  const schema = `kwsoak_${process.pid}_${randomBytes(3).toString('hex')}`;
  await withClient(baseUrl, (c) => c.query(`create schema ${schema}`));
  const { host, pathname } = new URL(baseUrl);
  let dropped = false;
  return {
    url: withSearchPath(baseUrl, schema),
    label: `PostgreSQL ${host}${pathname}, schema ${schema}`,
    async drop() {
      if (dropped) return;
      dropped = true;
      await withClient(baseUrl, (c) => c.query(`drop schema if exists ${schema} cascade`));
    },
  };
}

function withSearchPath(baseUrl: string, schema: string): string {
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
