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
  const counted = await countStatements(r, 'writes', mainDb, (server) => pingOf(server, main.key.secret));
  const w = counted.kind('insert') + counted.kind('update') + counted.kind('delete');
  writes = {
    text: `${w} write statements (${counted.kind('insert')} insert, ${counted.kind('update')} update, ${counted.kind('delete')} delete) in ${counted.flushes} batches for ${count(counted.responses)} requests in ${settings.durationSec} s = ${(w / counted.responses).toFixed(5)} per request; ${counted.kind('select')} selects, ${counted.kind('other')} other`,
    ok: w / counted.responses < 0.01,
  };
  r.notes = [`${w} writes / ${counted.flushes} batches in ${settings.durationSec} s`];
});

/** Statements the instrumented server sent, by kind, while `load` ran against it. */
async function countStatements(
  r: Row,
  name: string,
  databaseUrl: string,
  load: (server: ServerProcess) => LoadSpec,
  check: (server: ServerProcess) => Promise<void> = (server) =>
    expectStatus(`${server.url}/v1/ping`, { headers: bearer(main.key.secret) }, 200),
) {
  const server = await launch.instrumented(name, databaseUrl);
  await checked([server], () => check(server));
  let before: StatementCounts | undefined;
  let after: StatementCounts | undefined;
  await measureAlone({ row: r, servers: [server], specs: [load(server)] }, timing, {
    before: async () => {
      before = await statementCounts(server);
    },
    after: async () => {
      await new Promise((res) => setTimeout(res, 1_100)); // the window's last batch lands
      after = await statementCounts(server);
    },
  });
  return {
    kind: (k: string) => (after?.counts[k] ?? 0) - (before?.counts[k] ?? 0),
    flushes: (after?.flushes ?? 0) - (before?.flushes ?? 0),
    responses: r.measured?.responses ?? 0,
  };
}

const postInit = (seeded: Seeded) => ({
  method: 'POST' as const,
  headers: { ...bearer(seeded.key.secret), 'content-type': 'application/json' },
  body: POST_BODY,
});
const postsUrl = (server: ServerProcess, seeded: Seeded) => `${server.url}/v1/boards/${seeded.boardId}/posts`;

await alone(
  'write-statements',
  'write: POST /v1/boards/{id}/posts, SQLite, statements counted',
  async (r) => {
    const counted = await countStatements(
      r,
      'write-statements',
      mainCopy(),
      (server) => spec(postsUrl(server, main), postInit(main)),
      (server) => expectStatus(postsUrl(server, main), postInit(main), 201),
    );
    // Usage batches are statements too, but a second's batch is shared by every request of that second.
    const per = (k: string) => (counted.kind(k) / counted.responses).toFixed(2);
    r.notes = [
      `per request: ${per('insert')} insert, ${per('select')} select, ${per('update')} update, ${per('delete')} delete, ${per('other')} other (begin/commit); ${counted.flushes} usage batches`,
    ];
  },
);

interface WriteDatabase {
  /** One database per server (SQLite: copies of one file), or the same one for both (a PostgreSQL schema). */
  urls: [string, string];
  seeded: Seeded;
  drop?: () => Promise<void>;
}

/**
 * A write row and its bare baseline (bench/servers/bare-write.ts), interleaved like the compared
 * rows above: the write row's note gives its share of the bare insert's req/s.
 */
async function writePair(
  ids: { keyward: string; bare: string },
  labels: { keyward: string; bare: string },
  open: () => Promise<WriteDatabase>,
): Promise<void> {
  const own = [ids.keyward, ids.bare].filter(wanted);
  if (own.length === 0) return;
  const [keywardRow, bareRow]: Row[] = [
    { id: ids.keyward, label: labels.keyward },
    { id: ids.bare, label: labels.bare },
  ];
  const measuredRows = [keywardRow!, bareRow!].filter((row) => own.includes(row.id));
  rows.push(...measuredRows);
  log(`▶ ${measuredRows.map((row) => row.label).join(' | ')}`);
  let database: WriteDatabase | undefined;
  try {
    database = await open();
    const { urls, seeded } = database;
    const subjects: Subject[] = [];
    if (wanted(ids.keyward)) {
      const server = await launch.keyward(ids.keyward, urls[0]);
      await checked([server], () => expectStatus(postsUrl(server, seeded), postInit(seeded), 201));
      subjects.push({
        row: keywardRow!,
        servers: [server],
        specs: [spec(postsUrl(server, seeded), postInit(seeded))],
      });
    }
    if (wanted(ids.bare)) {
      const server = await launch.bareWrite(ids.bare, urls[1], seeded.workspaceId);
      const init = { ...postInit(seeded), headers: { 'content-type': 'application/json' } };
      await checked([server], () => expectStatus(postsUrl(server, seeded), init, 201));
      subjects.push({ row: bareRow!, servers: [server], specs: [spec(postsUrl(server, seeded), init)] });
    }
    await measureInterleaved(subjects, timing, log);
  } catch (err) {
    for (const row of measuredRows) row.skipped ??= `failed: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    await database?.drop?.();
  }
  const k = keywardRow!.measured?.rps;
  const b = bareRow!.measured?.rps;
  if (k !== undefined && b !== undefined)
    keywardRow!.notes = [
      ...(keywardRow!.notes ?? []),
      `${((k / b) * 100).toFixed(0)} % of the bare insert's req/s`,
    ];
  for (const row of measuredRows) {
    const m = row.measured;
    log(`  ${row.id}: ${m ? `${Math.round(m.rps)} req/s, p99 ${m.latency.p99.toFixed(2)} ms` : row.skipped}`);
  }
}

await writePair(
  { keyward: 'write-sqlite', bare: 'write-sqlite-bare' },
  {
    keyward: 'write: POST /v1/boards/{id}/posts, SQLite',
    bare: 'write baseline: bare Fastify + better-sqlite3 insert, same pragmas',
  },
  async () => ({ urls: [mainCopy(), mainCopy()], seeded: main }),
);

await writePair(
  { keyward: 'write-postgres', bare: 'write-postgres-bare' },
  {
    keyward: 'write: POST /v1/boards/{id}/posts, PostgreSQL',
    bare: 'write baseline: bare Fastify + pg insert, same pool size',
  },
  async () => {
    const schema = await createSchema(postgresUrl());
    try {
      return { urls: [schema.url, schema.url], seeded: await seed(schema.url), drop: () => schema.drop() };
    } catch (err) {
      await schema.drop();
      throw err;
    }
  },
);

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
    // One select per miss (secret, credential and workspace joined): 1.00 shows every request missed.
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
