/**
 * Keyward composed exactly as `keyward serve` does (config → compose → buildApp → listen), with two
 * bench-only additions: every SQL statement the server sends is counted by kind (Kysely's query log), and the credential cache size can be set (BENCH_CACHE_SIZE). The parent asks for the
 * counts over the IPC channel (`{type: 'snapshot'}`), before and after a load run. BENCH_QUIET=1
 * stops all timer-driven work (the callgrind counts of docs/performance.md, round 2).
 *
 *   PORT=… KEYWARD_DATABASE_URL=… node --import tsx bench/servers/instrumented.ts   (spawned with ipc)
 */
import pino from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { compose } from '../../src/server/compose.ts';
import { openStorage } from '../../src/storage/index.ts';

export interface QueryCounts {
  select: number;
  insert: number;
  update: number;
  delete: number;
  /** Everything else: a transaction's begin and commit, pings, migrations. */
  other: number;
}

const counts: QueryCounts = { select: 0, insert: 0, update: 0, delete: 0, other: 0 };
/** By the statement's first word: compiled-once statements reach the driver as raw SQL, not as query trees. */
const countStatement = (sql: string) => {
  const word = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? '';
  counts[word in counts && word !== 'other' ? (word as keyof QueryCounts) : 'other']++;
};

const config = loadConfig(process.env);
const logger = pino({ level: config.logLevel });
// Every statement sent on any connection of this storage, transactions' included, is counted.
const storage = openStorage(config.databaseUrl, { onStatement: countStatement });
const cacheSize = process.env.BENCH_CACHE_SIZE ? Number(process.env.BENCH_CACHE_SIZE) : undefined;
// BENCH_QUIET: no timer-driven work (usage writes, invalidation poll, webhook worker, jobs), so what
// a measurement counts is the requests' own work (docs/performance.md, round 2).
const QUIET_MS = 1e9;
const quiet = process.env.BENCH_QUIET
  ? { usageIntervalMs: QUIET_MS, pollIntervalMs: QUIET_MS, webhookWorker: false, jobs: false }
  : {};
const composed = await compose(config, { logger, storage, ...(cacheSize ? { cacheSize } : {}), ...quiet });
const app = await buildApp(composed.deps);
await app.listen({ port: config.port, host: config.host });

process.on('message', (message: { type?: string }) => {
  if (message.type === 'snapshot') {
    process.send?.({ type: 'snapshot', counts: { ...counts }, flushes: composed.deps.usage.flushes });
  }
});

const stop = async () => {
  await app.close();
  await composed.close();
  await storage.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
