/**
 * Seeds a benchmark database: one workspace with the keys the load generator presents (minted by the
 * product's own `createApiKey`, or in bulk past the first), a board to post to, and optionally a
 * large number of other credentials in other workspaces, inserted directly in batched multi-row
 * statements inside one transaction (1 M credentials in well under a minute).
 *
 *   node --import tsx bench/seed.ts ./scratch/bench.db 1000000 [activeKeys]
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { parseRateLimit } from '../src/core/durations.ts';
import { newId } from '../src/core/ids.ts';
import { resolvePlans } from '../src/core/plans.ts';
import { generateSecret, hashSecret, startOf } from '../src/core/secrets.ts';
import { createApiKey } from '../src/credentials/api-keys.ts';
import { openStorage } from '../src/storage/index.ts';

export const KEY_PREFIX = 'spk_';

export interface SeedOptions {
  /** Credentials in the database in total (the bench workspace's keys included); SQLite only past the keys. */
  credentials?: number;
  /** Keys of the bench workspace whose secrets are returned (10 k for the rotation row). */
  activeKeys?: number;
  /** PostgreSQL schema (created by the caller). */
  schema?: string;
}

export interface Seeded {
  workspaceId: string;
  boardId: string;
  /** The first key: its id, name and secret. */
  key: { id: string; name: string; secret: string };
  /** Secrets of every active key (the first included). */
  secrets: string[];
  seconds: number;
}

const SCOPES = JSON.stringify(['read:write']);
const BATCH = 500;
const CREDENTIAL_COLUMNS = [
  'id',
  'workspace_id',
  'kind',
  'name',
  'description',
  'scopes',
  'rate_limit',
  'expires_at',
  'revoked_at',
  'deleted_at',
  'last_used_at',
  'last_used_ip',
  'created_at',
  'updated_at',
] as const;
const SECRET_COLUMNS = ['hash', 'credential_id', 'start', 'prefix', 'expires_at', 'created_at'] as const;

export async function seed(databaseUrl: string, options: SeedOptions = {}): Promise<Seeded> {
  const started = performance.now();
  const activeKeys = Math.max(1, options.activeKeys ?? 1);
  const storage = openStorage(databaseUrl, options.schema ? { schema: options.schema } : {});
  let first: Seeded['key'];
  let workspaceId: string;
  let boardId: string;
  try {
    await storage.migrate();
    const now = Date.now();
    const workspace = await storage.workspaces.create({ name: 'bench', plan: 'professional' }, now);
    workspaceId = workspace.id;
    const issued = await createApiKey(
      {
        storage,
        clock: { now: () => Date.now() },
        keyPrefix: KEY_PREFIX,
        tokenPrefix: 'spi_',
        plans: resolvePlans(),
        notify: async () => {},
      },
      { workspaceId, name: 'bench key', scope: 'read:write' },
    );
    first = { id: issued.credential.id, name: issued.credential.name, secret: issued.secret };
    boardId = newId('board', now);
    await storage.boards.insert({
      id: boardId,
      workspace_id: workspaceId,
      name: 'Bench',
      slug: 'bench',
      description: '',
      created_at: now,
      updated_at: now,
    });
  } finally {
    await storage.close();
  }

  const total = options.credentials ?? activeKeys;
  const secrets = [first.secret];
  if (activeKeys > 1 || total > activeKeys) {
    if (!databaseUrl.startsWith('sqlite:')) throw new Error('bulk seeding is implemented for SQLite only');
    secrets.push(
      ...bulkInsert(databaseUrl.slice('sqlite:'.length), workspaceId, activeKeys - 1, total - activeKeys),
    );
  }
  return { workspaceId, boardId, key: first, secrets, seconds: (performance.now() - started) / 1000 };
}

/**
 * Inserts `keys` more keys into the bench workspace (real secrets, returned) and `others` credentials
 * spread over other workspaces of 1 000 credentials each (secrets nobody presents, so only hashed).
 */
function bulkInsert(path: string, workspaceId: string, keys: number, others: number): string[] {
  const db = new SQLite(path);
  // A fresh file nobody else has open: skip the WAL (writing 500 MB twice) and fsync while loading.
  db.pragma('journal_mode = MEMORY');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const now = Date.now();
  const stamp = now.toString(36).padStart(9, '0');
  const credentialRow = (id: string, ws: string, name: string) => [
    id,
    ws,
    'api_key',
    name,
    '',
    SCOPES,
    null,
    null,
    null,
    null,
    null,
    null,
    now,
    now,
  ];
  const insertRows = (table: string, columns: readonly string[], rows: unknown[][]) => {
    const one = `(${columns.map(() => '?').join(',')})`;
    const sql = (n: number) =>
      `insert into ${table} (${columns.join(',')}) values ${new Array(n).fill(one).join(',')}`;
    const full = db.prepare(sql(BATCH));
    for (let i = 0; i < rows.length; i += BATCH) {
      const chunk = rows.slice(i, i + BATCH);
      (chunk.length === BATCH ? full : db.prepare(sql(chunk.length))).run(chunk.flat());
    }
  };
  const secrets: string[] = [];
  db.transaction(() => {
    let creds: unknown[][] = [];
    let hashes: unknown[][] = [];
    const flush = () => {
      insertRows('credentials', CREDENTIAL_COLUMNS, creds);
      insertRows('credential_secrets', SECRET_COLUMNS, hashes);
      creds = [];
      hashes = [];
    };
    for (let i = 0; i < keys; i++) {
      const id = `key_${stamp}b${i.toString(36).padStart(11, '0')}`;
      const secret = generateSecret(KEY_PREFIX);
      secrets.push(secret);
      creds.push(credentialRow(id, workspaceId, `bench key ${i + 2}`));
      hashes.push([hashSecret(secret), id, startOf(secret, KEY_PREFIX), KEY_PREFIX, null, now]);
      if (creds.length >= 50_000) flush();
    }
    const insertWorkspace = db.prepare(
      'insert into workspaces (id, name, plan, settings, created_at) values (?, ?, ?, ?, ?)',
    );
    let ws = '';
    for (let i = 0; i < others; i++) {
      if (i % 1000 === 0) {
        ws = `ws_${stamp}p${(i / 1000).toString(36).padStart(11, '0')}`;
        insertWorkspace.run(ws, `padding ${i / 1000}`, 'professional', '{}', now);
      }
      const id = `key_${stamp}p${i.toString(36).padStart(11, '0')}`;
      creds.push(credentialRow(id, ws, `padding ${i}`));
      const hash = createHash('sha256').update(`padding-${stamp}-${i}`).digest('hex');
      hashes.push([hash, id, hash.slice(0, 8), KEY_PREFIX, null, now]);
      if (creds.length >= 50_000) flush();
    }
    flush();
  })();
  db.pragma('journal_mode = WAL');
  db.close();
  return secrets;
}

/** The plans file every Keyward row runs with: budgets so large no request is ever limited. */
export function writeHugePlans(path: string): void {
  const huge = '100000000/h';
  if (!parseRateLimit(huge)) throw new Error('unreachable');
  writeFileSync(
    path,
    JSON.stringify({ professional: { api_access: true, key_rate_limit: huge, workspace_rate_limit: huge } }),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, credentials = '1000', activeKeys = '1'] = process.argv.slice(2);
  if (!path) {
    console.error('usage: node --import tsx bench/seed.ts PATH [credentials] [activeKeys]');
    process.exit(2);
  }
  const seeded = await seed(`sqlite:${path}`, {
    credentials: Number(credentials),
    activeKeys: Number(activeKeys),
  });
  console.log(
    JSON.stringify({
      workspace: seeded.workspaceId,
      key: seeded.key.id,
      credentials: Number(credentials),
      seconds: seeded.seconds,
    }),
  );
}
