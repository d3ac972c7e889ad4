/**
 * `npm run bench`: seeds databases, starts each server as its own process, drives it with autocannon
 * (the paced rows: at a fixed offered rate, bench/lib/paced.ts) from other processes (bench/load.ts),
 * and prints one table of req/s, latency, CPU per request, ratios to a bare Fastify baseline and
 * RSS; writes it to bench/results/latest.md. The rows that are compared with each other are
 * measured interleaved (bench/lib/measure.ts). Method and variables: docs/performance.md.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeProbe, probeStalls } from './lib/host.ts';
import type { StatementCounts } from './lib/launch.ts';
import { bearer, expectStatus, Launcher, presentAll, SERVICE_TOKEN, statementCounts } from './lib/launch.ts';
import { measureAlone, measureInterleaved, type Subject } from './lib/measure.ts';
import { freePort, ROOT, type ServerProcess } from './lib/processes.ts';
import { type Row, writeReport } from './lib/report.ts';
import { clearRedisCounters, createSchema, postgresUrl, redisForBench, redisUrl } from './lib/services.ts';
import { loadAverage, machine, settings } from './lib/settings.ts';
import type { LoadSpec } from './load.ts';
import { type Seeded, seed, writeHugePlans } from './seed.ts';

const started = performance.now();
const startLoad = loadAverage();
const work = mkdtempSync(join(tmpdir(), 'keyward-bench-'));
const resultsDir = join(ROOT, 'bench/results');
const logDir = join(resultsDir, 'logs');
mkdirSync(logDir, { recursive: true });
const plansFile = join(work, 'plans.json');
writeHugePlans(plansFile);
const launch = new Launcher(plansFile, logDir);
const timing = {
  durationSec: settings.durationSec,
  warmupSec: settings.warmupSec,
  sliceSec: settings.sliceSec,
};
const POST_BODY = JSON.stringify({ title: 'Benchmark post', body: 'Posted by the benchmark harness.' });

const rows: Row[] = [];
const wanted = (id: string) => !settings.only || settings.only.has(id);
const log = (text: string) => process.stderr.write(`${text}\n`);
const label = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}m` : `${n / 1_000}k`);
const count = (n: number) => n.toLocaleString('en-US');

function spec(url: string, overrides: Partial<LoadSpec> = {}): LoadSpec {
  const base = { url, method: 'GET' as const, headers: {}, connections: settings.connections };
  return { ...base, durationSec: settings.durationSec, warmupSec: 0, ...overrides };
}
const pingOf = (server: ServerProcess, secret: string, extra: Partial<LoadSpec> = {}) =>
  spec(`${server.url}/v1/ping`, { headers: bearer(secret), ...extra });

/** Stops the servers if `check` throws (a row that cannot run must not leave them behind). */
async function checked(servers: ServerProcess[], check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()));
    throw err;
  }
}

// ---- seeding ------------------------------------------------------------------------------------
log(
  `keyward bench: ${settings.quick ? 'quick, ' : ''}${settings.durationSec} s per row after ${settings.warmupSec} s warm-up, ${settings.connections} connections; ${machine()}; load average ${startLoad}`,
);
// Before anything else runs: what the host takes away when every CPU is wanted (bench/lib/host.ts).
const host = describeProbe(await probeStalls(cpus().length));
log(`host: ${host}`);
const mainDb = `sqlite:${join(work, 'main.db')}`;
const main: Seeded = await seed(mainDb);
let copies = 0;
/**
 * A copy of the main database for one row's servers. Rows sharing one SQLite file slowed each other
 * down: a row's usage and request-log writes land after its slice, inside the next row's.
 */
function mainCopy(): string {
  const file = join(work, `main-${++copies}.db`);
  copyFileSync(join(work, 'main.db'), file);
  return `sqlite:${file}`;
}
const pingBody = JSON.stringify({
  data: {
    ok: true,
    workspace_id: main.workspaceId,
    credential: { id: main.key.id, kind: 'api_key', name: main.key.name, scopes: ['read:write'] },
  },
});
const largest = settings.scales[settings.scales.length - 1]!;
const scaled = new Map<number, { url: string; seeded: Seeded }>();
for (const n of settings.scales) {
  const rotation = n === largest && (wanted('rotate') || wanted('rotate-miss'));
  if (!wanted(`scale-${label(n)}`) && !rotation) continue;
  const url = `sqlite:${join(work, `scale-${n}.db`)}`;
  const seeded = await seed(url, { credentials: n, activeKeys: n === largest ? settings.rotatingKeys : 1 });
  log(`seeded ${count(n)} credentials in ${seeded.seconds.toFixed(1)} s`);
  scaled.set(n, { url, seeded });
}
const secretsFile = join(work, 'rotating-secrets.json');
const big = scaled.get(largest);
if (big) writeFileSync(secretsFile, JSON.stringify(big.seeded.secrets));

const redisService = await redisForBench(redisUrl(), await freePort());
const redis = redisService.url;
if (redisService.privateServer) log(redisService.privateServer);

// ---- the compared rows, measured interleaved -------------------------------------------------------
type Make = (r: Row) => Promise<Omit<Subject, 'row'> | undefined>;
/** A server's name, for its log file: each process of a replicated row (`memory#2`) has its own. */
const logName = (r: Row) => r.id.replace('#', '-');
const group: [string, string, Make][] = [
  [
    'baseline',
    'baseline (bare Fastify, no auth)',
    async (r) => {
      const server = await launch.baseline(logName(r), pingBody);
      return { servers: [server], specs: [spec(`${server.url}/v1/ping`)] };
    },
  ],
  [
    'memory',
    'keyward memory (SQLite, in-process limits)',
    async (r) => {
      const server = await launch.keyward(logName(r), mainCopy());
      await checked([server], () =>
        expectStatus(`${server.url}/v1/ping`, { headers: bearer(main.key.secret) }, 200),
      );
      return { servers: [server], specs: [pingOf(server, main.key.secret)] };
    },
  ],
  // One connection: no queueing, so latency is the service time of one request (plus the client's).
  [
    'baseline-1c',
    'baseline, 1 connection',
    async () => {
      const server = await launch.baseline('baseline-1c', pingBody);
      return { servers: [server], specs: [spec(`${server.url}/v1/ping`, { connections: 1 })] };
    },
  ],
  [
    'memory-1c',
    'keyward memory, 1 connection',
    async () => {
      const server = await launch.keyward('memory-1c', mainCopy());
      return { servers: [server], specs: [pingOf(server, main.key.secret, { connections: 1 })] };
    },
  ],
  // A fixed offered load, open loop (bench/lib/paced.ts): latency below saturation, where the
  // closed-loop rows above measure the queue that saturation builds.
  [
    'baseline-paced',
    `baseline at ${count(settings.pacedRate)} req/s offered, ${settings.connections} connections`,
    async () => {
      const server = await launch.baseline('baseline-paced', pingBody);
      return { servers: [server], specs: [spec(`${server.url}/v1/ping`, { rate: settings.pacedRate })] };
    },
  ],
  [
    'memory-paced',
    `keyward memory at ${count(settings.pacedRate)} req/s offered, ${settings.connections} connections`,
    async () => {
      const server = await launch.keyward('memory-paced', mainCopy());
      await checked([server], () =>
        expectStatus(`${server.url}/v1/ping`, { headers: bearer(main.key.secret) }, 200),
      );
      return { servers: [server], specs: [pingOf(server, main.key.secret, { rate: settings.pacedRate })] };
    },
  ],
  [
    'verify',
    'verify (POST /v1/keys/verify)',
    async (r) => {
      const server = await launch.keyward('verify', mainCopy());
      const headers = { authorization: `Bearer ${SERVICE_TOKEN}`, 'content-type': 'application/json' };
      const body = JSON.stringify({ key: main.key.secret });
      const probe = await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', headers, body });
      if (probe.status === 404) {
        await server.stop();
        r.skipped = 'n/a (endpoint not implemented)';
        return undefined;
      }
      await checked([server], async () => {
        if (probe.status !== 200)
          throw new Error(`verify answered ${probe.status}: ${(await probe.text()).slice(0, 200)}`);
      });
      return {
        servers: [server],
        specs: [spec(`${server.url}/v1/keys/verify`, { method: 'POST', headers, body })],
      };
    },
  ],
  // The example app (examples/crm) behind keyward/fastify: GET /contacts (contacts:read) beside
  // Keyward's own GET /v1/ping, in process and through the verify API of a Keyward of its own.
  [
    'crm-inprocess',
    'examples/crm GET /contacts, keyward/fastify in process',
    async () => {
      const server = await launch.crm('crm-inprocess', 'in-process', mainCopy());
      await checked([server], () =>
        expectStatus(`${server.url}/contacts`, { headers: bearer(main.key.secret) }, 200),
      );
      return {
        servers: [server],
        specs: [spec(`${server.url}/contacts`, { headers: bearer(main.key.secret) })],
      };
    },
  ],
  [
    'crm-remote',
    'examples/crm GET /contacts, keyward/fastify remote (+ its Keyward)',
    async (r) => {
      // The Keyward it asks knows the example's catalogue (its verify call names contacts:read).
      const keyward = await launch.keyward('crm-remote-keyward', mainCopy(), {
        KEYWARD_SCOPES: join(ROOT, 'examples/crm/scopes.json'),
      });
      const server = await launch.crm('crm-remote', 'remote', mainCopy(), keyward.url);
      await checked([server, keyward], () =>
        expectStatus(`${server.url}/contacts`, { headers: bearer(main.key.secret) }, 200),
      );
      r.notes = ['CPU and RSS are both processes: the app and the Keyward it verifies with'];
      return {
        servers: [server, keyward],
        specs: [spec(`${server.url}/contacts`, { headers: bearer(main.key.secret) })],
      };
    },
  ],
  // What a POST with a JSON body costs the stack itself: the reference for the verify row.
  [
    'baseline-post',
    'baseline POST with a JSON body (bare Fastify)',
    async () => {
      const server = await launch.baseline('baseline-post', pingBody);
      const headers = { 'content-type': 'application/json' };
      const body = JSON.stringify({ key: main.key.secret });
      return {
        servers: [server],
        specs: [spec(`${server.url}/v1/keys/verify`, { method: 'POST', headers, body })],
      };
    },
  ],
  [
    'redis-1',
    'keyward redis, one instance',
    async () => {
      if (redisService.problem) throw new Error(redisService.problem);
      const server = await launch.keyward('redis-1', mainCopy(), { KEYWARD_REDIS_URL: redis });
      await checked([server], () =>
        expectStatus(`${server.url}/v1/ping`, { headers: bearer(main.key.secret) }, 200),
      );
      return { servers: [server], specs: [pingOf(server, main.key.secret)] };
    },
  ],
  [
    'redis-2',
    'keyward redis, two instances',
    async (r) => {
      if (redisService.problem) throw new Error(redisService.problem);
      const shared = mainCopy(); // two instances of one deployment: one database
      const servers = await Promise.all(
        ['redis-2a', 'redis-2b'].map((name) => launch.keyward(name, shared, { KEYWARD_REDIS_URL: redis })),
      );
      const half = Math.ceil(settings.connections / 2);
      const split = [half, settings.connections - half];
      r.notes = [`${split.join(' + ')} connections, two load generators`];
      return {
        servers,
        specs: servers.map((s, i) => pingOf(s, main.key.secret, { connections: split[i]! })),
      };
    },
  ],
  ...[...scaled].map(([n, { url, seeded }]): [string, string, Make] => [
    `scale-${label(n)}`,
    `scale: ${count(n)} credentials in the database`,
    async () => {
      const server = await launch.keyward(`scale-${label(n)}`, url);
      await checked([server], () =>
        expectStatus(`${server.url}/v1/ping`, { headers: bearer(seeded.key.secret) }, 200),
      );
      return { servers: [server], specs: [pingOf(server, seeded.key.secret)] };
    },
  ]),
];

/** The rows every ratio rests on: measured on several fresh processes each, the median reported. */
const REPLICATED = new Set(['baseline', 'memory']);
const subjects: Subject[] = [];
const replicas = new Map<Row, Row[]>();
log('starting the servers of the interleaved rows');
await Promise.all(
  group
    .filter(([id]) => wanted(id))
    .map(async ([id, text, make]) => {
      const r: Row = { id, label: text };
      rows.push(r);
      const copies = REPLICATED.has(id) ? settings.processes : 1;
      const own = Array.from({ length: copies }, (_, i) =>
        copies === 1 ? r : { id: `${id}#${i + 1}`, label: text },
      );
      if (copies > 1) replicas.set(r, own);
      try {
        for (const row of own) {
          const made = await make(row);
          if (made) subjects.push({ row, ...made });
        }
      } catch (err) {
        r.skipped ??= `failed: ${(err as Error).message.split('\n')[0]}`;
      }
    }),
);
if (subjects.length > 0) {
  log(`▶ ${subjects.length} rows interleaved: ${subjects.map((s) => s.row.id).join(', ')}`);
  await measureInterleaved(subjects, timing, log);
}
for (const [r, own] of replicas) Object.assign(r, medianOf(r, own));
const verifyRow = rows.find((r) => r.id === 'verify');
const postRps = rows.find((r) => r.id === 'baseline-post')?.measured?.rps;
if (verifyRow?.measured && postRps) {
  const share = ((verifyRow.measured.rps / postRps) * 100).toFixed(0);
  verifyRow.notes = [...(verifyRow.notes ?? []), `${share} % of the bare POST's req/s`];
}

// The example app's rows against Keyward's own GET /v1/ping (the memory row), same run.
const memoryRow = rows.find((r) => r.id === 'memory');
for (const id of ['crm-inprocess', 'crm-remote']) {
  const r = rows.find((x) => x.id === id);
  const pingRps = memoryRow?.measured?.rps;
  if (!r?.measured || !pingRps) continue;
  const cpu =
    r.cpuUsPerRequest !== undefined && memoryRow?.cpuUsPerRequest !== undefined
      ? `; CPU per request ${((memoryRow.cpuUsPerRequest / r.cpuUsPerRequest) * 100).toFixed(0)} % of /v1/ping's efficiency`
      : '';
  r.notes = [
    ...(r.notes ?? []),
    `${((r.measured.rps / pingRps) * 100).toFixed(0)} % of Keyward's GET /v1/ping req/s${cpu}`,
  ];
}

/** The replica with the median CPU per request, noting what every replica did. */
function medianOf(r: Row, own: Row[]): Row {
  const measured = own.filter((x) => x.measured && x.cpuUsPerRequest !== undefined);
  if (measured.length === 0) return { ...r, skipped: r.skipped ?? own[0]?.skipped ?? 'failed' };
  const sorted = [...measured].sort((a, b) => a.cpuUsPerRequest! - b.cpuUsPerRequest!);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const each = measured.map(
    (x) => `${count(Math.round(x.measured!.rps))} req/s at ${x.cpuUsPerRequest!.toFixed(1)} µs`,
  );
  const notes = [`median of ${measured.length} processes (${each.join('; ')})`, ...(median.notes ?? [])];
  return { ...median, id: r.id, label: r.label, notes };
}
if (!redisService.problem) await clearRedisCounters(redis, [main.key.id, main.workspaceId]).catch(() => {});
await redisService.stop();

// ---- rows measured alone: their state grows under load ------------------------------------------------
async function alone(id: string, text: string, body: (r: Row) => Promise<void>): Promise<void> {
  if (!wanted(id)) return;
  const r: Row = { id, label: text };
  rows.push(r);
  const t = performance.now();
  log(`▶ ${text}`);
  try {
    await body(r);
  } catch (err) {
    r.measured = undefined;
    r.skipped ??= `failed: ${(err as Error).message.split('\n')[0]}`;
  }
  const m = r.measured;
  const outcome = m ? `${Math.round(m.rps)} req/s, p99 ${m.latency.p99.toFixed(2)} ms` : r.skipped;
  log(`  ${outcome} (${((performance.now() - t) / 1000).toFixed(0)} s)`);
}

let writes: { text: string; ok: boolean } | undefined;
await alone('writes', 'keyward memory, statements counted', async (r) => {
  const server = await launch.instrumented('writes', mainDb);
  await checked([server], () =>
    expectStatus(`${server.url}/v1/ping`, { headers: bearer(main.key.secret) }, 200),
  );
  let before: StatementCounts | undefined;
  let after: StatementCounts | undefined;
  await measureAlone({ row: r, servers: [server], specs: [pingOf(server, main.key.secret)] }, timing, {
    before: async () => {
      before = await statementCounts(server);
    },
    after: async () => {
      await new Promise((res) => setTimeout(res, 1_100)); // the window's last batch lands
      after = await statementCounts(server);
    },
  });
  const d = (k: string) => (after?.counts[k] ?? 0) - (before?.counts[k] ?? 0);
  const w = d('insert') + d('update') + d('delete');
  const flushes = (after?.flushes ?? 0) - (before?.flushes ?? 0);
  const responses = r.measured?.responses ?? 0;
  writes = {
    text: `${w} write statements (${d('insert')} insert, ${d('update')} update, ${d('delete')} delete) in ${flushes} batches for ${count(responses)} requests in ${settings.durationSec} s = ${(w / responses).toFixed(5)} per request; ${d('select')} selects, ${d('other')} other`,
    ok: w / responses < 0.01,
  };
  r.notes = [`${w} writes / ${flushes} batches in ${settings.durationSec} s`];
});

const postInit = (seeded: Seeded) => ({
  method: 'POST' as const,
  headers: { ...bearer(seeded.key.secret), 'content-type': 'application/json' },
  body: POST_BODY,
});
async function writeRow(r: Row, name: string, databaseUrl: string, seeded: Seeded): Promise<void> {
  const server = await launch.keyward(name, databaseUrl);
  const url = `${server.url}/v1/boards/${seeded.boardId}/posts`;
  await checked([server], () => expectStatus(url, postInit(seeded), 201));
  await measureAlone({ row: r, servers: [server], specs: [spec(url, postInit(seeded))] }, timing);
}

await alone('write-sqlite', 'write: POST /v1/boards/{id}/posts, SQLite', (r) =>
  writeRow(r, 'write-sqlite', mainDb, main),
);

await alone('write-postgres', 'write: POST /v1/boards/{id}/posts, PostgreSQL', async (r) => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  try {
    schema = await createSchema(postgresUrl());
  } catch (err) {
    r.skipped = `n/a (PostgreSQL unreachable: ${(err as Error).message})`;
    throw err;
  }
  try {
    await writeRow(r, 'write-postgres', schema.url, await seed(schema.url));
  } finally {
    await schema.drop();
  }
});

const rotating = `${label(largest)} credentials, ${count(settings.rotatingKeys)} keys in rotation`;
await alone('rotate', `scale: ${rotating} (all fit the cache)`, async (r) => {
  if (!big) throw new Error('not seeded');
  const server = await launch.keyward('rotate', big.url);
  // Every key presented once before measuring: the measured window is the cached steady state.
  await checked([server], () => presentAll(server.url, big.seeded.secrets));
  r.notes = ['every key presented once before: all cached'];
  const specs = [pingOf(server, big.seeded.key.secret, { rotateSecretsFile: secretsFile })];
  await measureAlone({ row: r, servers: [server], specs }, timing);
});

await alone(
  'rotate-miss',
  `scale: ${rotating}, cache of ${count(settings.missCacheSize)} (every request misses)`,
  async (r) => {
    if (!big) throw new Error('not seeded');
    const server = await launch.instrumented('rotate-miss', big.url, {
      BENCH_CACHE_SIZE: String(settings.missCacheSize),
    });
    r.notes = ['bench/servers/instrumented.ts with a small cache'];
    let before: StatementCounts | undefined;
    let after: StatementCounts | undefined;
    const specs = [pingOf(server, big.seeded.key.secret, { rotateSecretsFile: secretsFile })];
    await measureAlone({ row: r, servers: [server], specs }, timing, {
      before: async () => {
        before = await statementCounts(server);
      },
      after: async () => {
        after = await statementCounts(server);
      },
    });
    // Three selects per miss (secret, credential, workspace): 3.0 shows every request missed.
    const selects = (after?.counts.select ?? 0) - (before?.counts.select ?? 0);
    if (r.measured?.responses)
      r.notes.push(`${(selects / r.measured.responses).toFixed(2)} selects per request`);
  },
);

// ---- report -----------------------------------------------------------------------------------------
const totalSec = (performance.now() - started) / 1000;
const report = writeReport({
  rows,
  writes,
  totalSec,
  startLoad,
  host,
  resultsDir,
  partial: settings.only !== undefined,
  redisNote: redisService.privateServer,
});
console.log(report);
if (!settings.keep) rmSync(work, { recursive: true, force: true });
else log(`kept ${work}`);

// Non-zero only when the bench could not run at all: no baseline or no keyward row measured.
const ranCore = ['baseline', 'memory'].every((id) => !wanted(id) || rows.find((r) => r.id === id)?.measured);
process.exitCode = ranCore ? 0 : 1;
