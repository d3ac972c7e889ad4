/** Opens a Kysely instance over SQLite (better-sqlite3) or PostgreSQL (pg) from a database URL. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type KyselyConfig, PostgresDialect, type SqliteDatabase, SqliteDialect } from 'kysely';
import { LRUCache } from 'lru-cache';
import pg from 'pg';
import { type ConnectionLost, ResilientPgPool } from './pg-pool.ts';
import type { Database } from './schema.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface OpenOptions {
  /** PostgreSQL schema to use (tests give each run its own); created when missing. */
  schema?: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /** PostgreSQL: how long to wait for a connection (ms). */
  connectTimeoutMs?: number;
  /** PostgreSQL: longest a statement may run, on the server and as seen by the client (ms). */
  statementTimeoutMs?: number;
  /** PostgreSQL: longest a transaction may sit idle before the server ends it (ms). */
  idleInTransactionTimeoutMs?: number;
  /** Told once per lost PostgreSQL connection (the pool replaces it). */
  onConnectionLost?: ConnectionLost;
  /** Told the SQL of every statement sent, transactions' begin and commit included (the bench counts them). */
  onStatement?: (sql: string) => void;
}

export interface OpenedDatabase {
  db: Kysely<Database>;
  dialect: DialectName;
}

export function dialectOf(url: string): DialectName {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgres';
  throw new Error(`unsupported database URL (expected sqlite:PATH or postgres://…): ${redactUrl(url)}`);
}

/** A URL safe to print: the password, if any, is replaced. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

export function openDatabase(url: string, options: OpenOptions = {}): OpenedDatabase {
  const dialect = dialectOf(url);
  if (dialect === 'sqlite') return { db: openSqlite(url.slice('sqlite:'.length), options), dialect };
  return { db: openPostgres(url, options), dialect };
}

/** How every SQLite connection is set up (the bench's bare write baseline uses the same). */
export const SQLITE_PRAGMAS = [
  'journal_mode = WAL',
  // Several processes (server, CLI) share the file: wait for the writer instead of failing.
  'busy_timeout = 5000',
  'foreign_keys = ON',
  'synchronous = NORMAL',
] as const;

/** Kysely's query log, only when asked for: it wraps every connection's queries. */
function statementLog(options: OpenOptions): Pick<KyselyConfig, 'log'> {
  const told = options.onStatement;
  if (!told) return {};
  return {
    log: (event) => {
      if (event.level === 'query') told(event.query.sql);
    },
  };
}

function openSqlite(path: string, options: OpenOptions): Kysely<Database> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  for (const pragma of SQLITE_PRAGMAS) sqlite.pragma(pragma);
  return new Kysely<Database>({
    dialect: new SqliteDialect({ database: new StatementCache(sqlite) }),
    ...statementLog(options),
  });
}

/** Most prepared statements kept, and the most SQL text they may hold between them (characters). */
const STATEMENTS_MAX = 1000;
const STATEMENTS_MAX_SQL = 512 * 1024;

/**
 * better-sqlite3 behind Kysely, with prepared statements reused by SQL text: Kysely's SQLite driver
 * calls `prepare` for every query, and preparing costs more than running most of ours. A statement
 * binds new parameters on every call; after a schema change (a migration) SQLite re-prepares it by
 * itself on its next run. Bounded by count and by SQL length: a prepared multi-row insert of 500 rows
 * holds ~300 KB of native memory (about 40 bytes per character of SQL), so a budget of 512 K characters
 * keeps the cache at a few tens of MB at most however many batch sizes it has seen.
 */
export class StatementCache implements SqliteDatabase {
  private readonly statements = new LRUCache<string, SQLite.Statement>({
    max: STATEMENTS_MAX,
    maxSize: STATEMENTS_MAX_SQL,
    sizeCalculation: (_statement, sql) => Math.max(1, sql.length),
  });

  constructor(readonly database: SQLite.Database) {}

  prepare(sql: string): SQLite.Statement {
    const cached = this.statements.get(sql);
    // A statement still being iterated (a stream not read to its end) cannot run again until reset.
    if (cached !== undefined && !cached.busy) return cached;
    const statement = this.database.prepare(sql);
    this.statements.set(sql, statement);
    return statement;
  }

  /** Statements held, for tests. */
  get size(): number {
    return this.statements.size;
  }

  /** Characters of SQL held, for tests. */
  get sqlLength(): number {
    return this.statements.calculatedSize;
  }

  close(): void {
    this.statements.clear();
    this.database.close();
  }
}

/** Connections per process to PostgreSQL unless told otherwise (the bench's bare baseline uses the same). */
export const PG_POOL_SIZE = 10;

// int8 (bigint) columns hold epoch milliseconds and counts, all well inside Number's safe range.
const pgTypes = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'),
};

function openPostgres(url: string, options: OpenOptions): Kysely<Database> {
  const statementTimeout = options.statementTimeoutMs ?? 10_000;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? PG_POOL_SIZE,
    types: pgTypes as pg.CustomTypesConfig,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    // The server cancels a long statement; the client gives up on one whose answer never comes (a
    // stalled connection), a little later so the server's own error wins when it can be sent.
    statement_timeout: statementTimeout,
    query_timeout: statementTimeout + 1_000,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 30_000,
    keepAlive: true,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new ResilientPgPool(pool, options.onConnectionLost ?? (() => {})) }),
    ...statementLog(options),
  });
}
