/**
 * `npm run fuzz -- --requests 100000`: the seed-fixed fuzzer of test/fuzz against a real Keyward
 * on 127.0.0.1 (SQLite in a temporary directory unless --database names a PostgreSQL server).
 * Prints progress and a summary; exits 1 when any answer broke an invariant.
 */
import { Command, InvalidArgumentError } from 'commander';
import { formatSummary, runFuzz } from '../test/fuzz/run.ts';
import { startFuzzTarget } from '../test/fuzz/target.ts';
import { createPostgresDatabase, createSqliteDatabase } from '../test/support/storages.ts';
import { ensureDashboardBuilt } from './build.ts';

const integer = (min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}`);
  return n;
};

const program = new Command('fuzz')
  .description('Fuzz every route of the OpenAPI document over a real socket')
  .option('--requests <n>', 'requests to send', integer(1), 20_000)
  .option('--seed <n>', 'seed of the run (request N is the same for a seed)', integer(0), 20_240_601)
  .option('--concurrency <n>', 'requests in flight at once', integer(1), 4)
  .option(
    '--database <url>',
    'a postgres:// server to run on (a fresh schema, dropped afterwards); default SQLite',
  )
  .option('--heap-limit <mib>', 'allowed heap growth after warm-up', integer(1), 150)
  .parse();

const options = program.opts<{
  requests: number;
  seed: number;
  concurrency: number;
  database?: string;
  heapLimit: number;
}>();

// The dashboard's pages are fuzzed too: without a build they would be a placeholder page.
await ensureDashboardBuilt({
  info: (_o, msg) => console.log(`[dashboard] ${msg}`),
  error: (_o, msg) => console.error(msg),
});
const db = options.database?.startsWith('postgres')
  ? await createPostgresDatabase(options.database)
  : await createSqliteDatabase();
const target = await startFuzzTarget(db, options.seed);
console.log(
  `fuzzing ${db.url.split('?')[0]} on port ${target.port}: ${options.requests} requests, seed ${options.seed}`,
);
let summary: Awaited<ReturnType<typeof runFuzz>>;
try {
  summary = await runFuzz(target, {
    seed: options.seed,
    requests: options.requests,
    concurrency: options.concurrency,
    heapLimitMiB: options.heapLimit,
    onProgress: (done, s) => {
      const heap = (process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0);
      console.log(
        `  ${done} requests, ${(s.elapsedMs / 1000).toFixed(0)} s, heap ${heap} MiB, ${s.failureCount} failures`,
      );
    },
  });
} finally {
  await target.close();
  await db.drop();
}
console.log(formatSummary(summary));
process.exitCode = summary.failureCount > 0 ? 1 : 0;
