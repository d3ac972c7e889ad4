/**
 * `npm run bench:instructions [-- rows...]`: user-space instructions per request, counted by valgrind's
 * callgrind, for the bare Fastify baseline and Keyward's cached paths (rows: baseline, memory,
 * baseline-post, verify, redis; all by default). Prints a Markdown table and writes it to
 * bench/results/instructions.md. A full run takes about six minutes.
 *
 * Why instructions: on a shared, noisy machine req/s and CPU time drift by ±30 % from run to run;
 * the instructions a request executes hardly depend on what else the machine is doing, so a change of
 * a few hundred instructions per request shows. (The redis row varies more: how many requests share
 * one Redis round trip depends on timing.)
 *
 * Method (docs/performance.md, round 3): each server runs alone under callgrind, instrumentation off,
 * gets 10 000 warm-up requests, then five windows of 5 000 (10 connections; autocannon runs in this
 * process, outside valgrind), each switched on, off and dumped with callgrind_control. A row reports
 * the median of windows 2–5 (the first is high: V8 still compiles), leaving out windows holding a full
 * garbage collection (named in the dump). A process whose other windows differ by more than 30 %, or
 * whose dumps show Node's nextTick literal built in the runtime, is in a slow V8 mode (in which all its
 * windows run ~50 % higher) and is replaced by a fresh one, three at most; the lowest median counts.
 * System calls are not counted: they are the same for every row (one read, one write per request).
 *
 *   node --import tsx bench/instructions.ts [baseline memory baseline-post verify redis]
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bearer, Launcher, SERVICE_TOKEN } from './lib/launch.ts';
import { cleanEnv, freePort, ROOT } from './lib/processes.ts';
import { clearRedisCounters, redisProblem, redisUrl } from './lib/services.ts';
import { loadAverage, machine } from './lib/settings.ts';
import { seed, writeHugePlans } from './seed.ts';

const [WARMUP, WINDOW, WINDOWS, CONNECTIONS, PROCESSES, SLOW] = [10_000, 5_000, 5, 10, 3, 1.3];
/** Functions of V8's full (mark-compact) collection, and the one the slow nextTick mode calls ~30× per request. */
const FULL_GC = /MarkCompactCollector|MarkingVisitor|Sweeper::|IncrementalMarking/;
const TICK_LITERAL = /Runtime_DefineKeyedOwnPropertyInLiteral/;
/** Instructions per request in FULL_GC functions from which a window holds a full GC (below 1 without one). */
const GC_WINDOW = 1_000;

type Request = { method: 'GET' | 'POST'; path: string; body?: string };
interface Row extends Request {
  id: string;
  label: string;
  script: string;
  env: (port: number) => NodeJS.ProcessEnv;
  headers: Record<string, string>;
}
interface Result {
  row: Row;
  perRequest?: number;
  notes: string[];
}
/** One window's counts, per request: all instructions, those of a full GC, calls building tick literals. */
type Window = { all: number; fullGc: number; tickCalls: number };
// autocannon ships no types; this is the part of its API used here.
type Autocannon = (options: object) => {
  on(event: 'response', fn: (client: unknown, status: number) => void): void;
  on(event: 'done', fn: (result: { errors: number; timeouts: number }) => void): void;
};
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
const run = promisify(execFile);
const log = (text: string) => process.stderr.write(`${text}\n`);
const fmt = (n: number) => (Math.round(n / 100) * 100).toLocaleString('en-US').replaceAll(',', ' ');
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(0)} s`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
};

const started = performance.now();
const startLoad = loadAverage();
const work = fs.mkdtempSync(join(tmpdir(), 'keyward-instructions-'));
const live = new Set<ChildProcess>();
const cleanup = () => {
  for (const child of live) child.kill('SIGKILL');
  fs.rmSync(work, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    cleanup();
    process.exit(130);
  });
}

/** Starts the row's server under callgrind, instrumentation off, and waits until it answers /healthz. */
async function start(row: Row, name: string): Promise<{ child: ChildProcess; url: string; pid: number }> {
  const port = await freePort();
  const logFile = join(work, `${name}.log`);
  const out = fs.openSync(logFile, 'w');
  const valgrind = ['--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file'];
  const node = [process.execPath, '--single-threaded', '--import', 'tsx', row.script];
  const args = [...valgrind, `--callgrind-out-file=${join(work, 'cg.%p')}`, ...node];
  const child = spawn('valgrind', args, { cwd: ROOT, env: row.env(port), stdio: ['ignore', out, out] });
  fs.closeSync(out);
  live.add(child);
  child.once('exit', () => live.delete(child));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  const answers = () =>
    fetch(`${url}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
  while (!(await answers())) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      const tail = fs.readFileSync(logFile, 'utf8').slice(-1500);
      throw new Error(`${name} did not come up (exit ${child.exitCode ?? child.signalCode}):\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await control(child.pid!); // valgrind execs into the tool: its pid is the one callgrind_control finds
  return { child, url, pid: child.pid! };
}

/** callgrind_control, which exits 0 even when it finds no such process. */
async function control(pid: number, ...args: string[]): Promise<void> {
  const { stdout, stderr } = await run('callgrind_control', [...args, String(pid)]);
  if (!stdout.includes(`PID ${pid}:`) || /Error/.test(stdout + stderr)) {
    throw new Error(`callgrind_control ${args.join(' ')} ${pid}: ${(stdout + stderr).trim()}`);
  }
}

/** `amount` requests on 10 connections; rejects unless every one answered 2xx. */
function load(row: Row, url: string, amount: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const statuses: Record<number, number> = {};
    let ok = 0;
    const { method, headers, body } = row;
    const options = { url: url + row.path, method, headers, body, connections: CONNECTIONS, amount };
    const instance = autocannon({ ...options, timeout: 60 });
    instance.on('response', (_client, status) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) ok++;
    });
    instance.on('done', ({ errors, timeouts }) => {
      if (ok === amount && errors === 0) return resolve();
      const what = `${JSON.stringify(statuses)}, ${errors} errors, ${timeouts} timeouts`;
      reject(new Error(`${row.id}: ${ok} of ${amount} requests answered 2xx (${what})`));
    });
  });
}

/** Reads a dump: `totals:`, and the self cost / call counts of the functions FULL_GC and TICK_LITERAL name. */
function readDump(file: string): Window {
  const text = fs.readFileSync(file, 'utf8');
  const total = /^totals:\s*(\d+)/m.exec(text)?.[1] ?? /^summary:\s*(\d+)/m.exec(text)?.[1];
  if (!total) throw new Error(`no totals in ${file}`);
  const gc = new Set<string>();
  const tick = new Set<string>();
  let [inGc, toTick, afterCall, fullGc, tickCalls] = [false, false, false, 0, 0];
  for (const line of text.split('\n')) {
    const fn = /^c?fn=\((\d+)\)(?: (.*))?/.exec(line); // names are compressed: "(id) name" once, then "(id)"
    if (fn) {
      const [, id, name] = fn as unknown as [string, string, string | undefined];
      if (name !== undefined && FULL_GC.test(name)) gc.add(id);
      if (name !== undefined && TICK_LITERAL.test(name)) tick.add(id);
      if (line.startsWith('fn')) inGc = gc.has(id);
      else toTick = tick.has(id);
    } else if (line.startsWith('calls=')) {
      afterCall = true; // the next cost line is the call's inclusive cost, not the function's own
      if (toTick) tickCalls += Number(line.slice(6).split(' ')[0]);
    } else if (/^[0-9+*-]/.test(line)) {
      if (inGc && !afterCall) fullGc += Number(line.split(' ')[1] ?? 0);
      afterCall = false;
    }
  }
  return { all: Number(total) / WINDOW, fullGc: fullGc / WINDOW, tickCalls: tickCalls / WINDOW };
}

/** One fresh process: warm-up, then the windows. */
async function oneProcess(row: Row, name: string): Promise<Window[]> {
  const t = performance.now();
  const { child, url, pid } = await start(row, name);
  try {
    log(`  ${name}: up after ${seconds(t)} (pid ${pid}), warming up`);
    await load(row, url, WARMUP);
    const windows: Window[] = [];
    for (let n = 1; n <= WINDOWS; n++) {
      await control(pid, '-i', 'on');
      await load(row, url, WINDOW);
      await control(pid, '-i', 'off');
      await control(pid, '-d');
      windows.push(readDump(join(work, `cg.${pid}.${n}`)));
      const gc = windows[n - 1]!.fullGc >= GC_WINDOW ? ` (full GC ${fmt(windows[n - 1]!.fullGc)})` : '';
      log(`  ${name}: window ${n}: ${fmt(windows[n - 1]!.all)} instructions per request${gc}`);
    }
    return windows;
  } finally {
    await stop(child);
    for (let n = 0; n <= WINDOWS; n++) fs.rmSync(join(work, `cg.${pid}${n ? `.${n}` : ''}`), { force: true });
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/**
 * A row on fresh processes until one is not in a slow mode (three at most): the lowest median of
 * windows 2–5, leaving out those holding a full GC (one every ~25 000 requests; with it in, the median
 * of four moved by 2 % with where it fell).
 */
async function measure(row: Row): Promise<Result> {
  const result: Result = { row, notes: [] };
  const medians: number[] = [];
  const gc = (w: Window) => w.fullGc >= GC_WINDOW;
  for (let p = 1; p <= PROCESSES; p++) {
    const windows = await oneProcess(row, `${row.id}#${p}`);
    const later = windows.slice(1);
    const clean = later.filter((w) => !gc(w));
    medians.push(median((clean.length >= 2 ? clean : later).map((w) => w.all)));
    if (result.perRequest === undefined || medians[p - 1]! < result.perRequest) {
      result.perRequest = medians[p - 1]!;
      result.notes[0] = `windows ${windows.map((w) => `${fmt(w.all)}${gc(w) ? ' (full GC)' : ''}`).join(', ')}`;
    }
    const lowest = Math.min(...later.map((w) => w.all));
    const slow = later.flatMap((w, i) => {
      const above = (w.all / lowest - 1) * 100;
      return w.all > lowest * SLOW && !gc(w)
        ? [`window ${i + 2} ${above.toFixed(0)} % above the lowest`]
        : [];
    });
    const ticks = Math.max(...later.map((w) => w.tickCalls));
    if (ticks >= 1) slow.push(`the nextTick literal built in the runtime, ${ticks.toFixed(1)}× per request`);
    if (slow.length === 0) break;
    result.notes.push(`process ${p} in a slow V8 mode: ${slow.join(', ')}`);
    log(`  ${result.notes.at(-1)}${p < PROCESSES ? '; repeating on a fresh process' : ''}`);
  }
  if (medians.length > 1)
    result.notes.push(`medians of the ${medians.length} processes ${medians.map(fmt).join(', ')}`);
  return result;
}

// ---- the rows ---------------------------------------------------------------------------------------
const plansFile = join(work, 'plans.json');
writeHugePlans(plansFile);
const launch = new Launcher(plansFile, work);
const results: Result[] = [];
try {
  const main = await seed(`sqlite:${join(work, 'main.db')}`);
  let copies = 0;
  /** Each Keyward process gets a copy of its own: processes sharing one SQLite file disturb each other. */
  const keyward =
    (extra: Record<string, string> = {}) =>
    (port: number) => {
      const file = join(work, `main-${++copies}.db`);
      fs.copyFileSync(join(work, 'main.db'), file);
      return launch.env(`sqlite:${file}`, { PORT: String(port), BENCH_QUIET: '1', ...extra });
    };
  const credential = { id: main.key.id, kind: 'api_key', name: main.key.name, scopes: ['read:write'] };
  const pingBody = JSON.stringify({ data: { ok: true, workspace_id: main.workspaceId, credential } });
  const baseline = (port: number) => cleanEnv({ PORT: String(port), BENCH_BODY: pingBody });
  const redis = redisUrl();
  const withRedis = { KEYWARD_REDIS_URL: redis };
  const ping: Request = { method: 'GET', path: '/v1/ping' };
  const body = JSON.stringify({ key: main.key.secret });
  const verify: Request = { method: 'POST', path: '/v1/keys/verify', body };
  const json = { 'content-type': 'application/json' };
  const [bare, instrumented] = ['bench/baseline-server.ts', 'bench/servers/instrumented.ts'];
  const make = (id: string, label: string, script: string, env: Row['env'], req: Request, headers = {}) =>
    ({ id, label, script, env, headers, ...req }) satisfies Row;
  const [auth, service] = [bearer(main.key.secret), { ...json, authorization: `Bearer ${SERVICE_TOKEN}` }];
  const rows: Row[] = [
    make('baseline', 'bare Fastify, GET /v1/ping', bare, baseline, ping),
    make('memory', 'Keyward GET /v1/ping, SQLite', instrumented, keyward(), ping, auth),
    make('baseline-post', 'bare Fastify, POST with a JSON body', bare, baseline, verify, json),
    make('verify', 'Keyward POST /v1/keys/verify', instrumented, keyward(), verify, service),
    make('redis', 'Keyward GET /v1/ping, Redis limits', instrumented, keyward(withRedis), ping, auth),
  ];
  const asked = process.argv.slice(2);
  const unknown = asked.filter((id) => !rows.some((r) => r.id === id));
  if (unknown.length > 0) throw new Error(`unknown rows ${unknown}; rows: ${rows.map((r) => r.id)}`);
  log(`keyward instructions: ${machine()}; load average ${startLoad}; temp dir ${work}`);
  for (const row of rows.filter((r) => asked.length === 0 || asked.includes(r.id))) {
    const t = performance.now();
    log(`▶ ${row.id}: ${row.label}`);
    const problem = row.id === 'redis' ? await redisProblem(redis) : undefined;
    if (problem) {
      log(`\n!!!! redis row SKIPPED: ${problem}\n`);
      results.push({ row, notes: [`**SKIPPED**: ${problem}`] });
      continue;
    }
    const failed = (err: Error): Result => ({ row, notes: [`**FAILED**: ${err.message.split('\n')[0]}`] });
    const result = await measure(row).catch(failed);
    results.push(result);
    if (row.id === 'redis') await clearRedisCounters(redis, [main.key.id, main.workspaceId]).catch(() => {});
    const outcome = result.perRequest ? fmt(result.perRequest) : `!!!! ${result.notes[0]}`;
    log(`  ${row.id}: ${outcome} (${seconds(t)})`);
  }
} finally {
  await Promise.all([...live].map(stop));
  cleanup();
}

// ---- the report ---------------------------------------------------------------------------------------
const of = (id: string) => results.find((r) => r.row.id === id)?.perRequest;
const ratios = [
  ['memory vs baseline', 'baseline', 'memory'],
  ['verify vs baseline-post', 'baseline-post', 'verify'],
  ['verify vs memory', 'memory', 'verify'],
  ['redis vs memory', 'memory', 'redis'],
].flatMap(([text, ref, id]) => {
  const [a, b] = [of(ref!), of(id!)];
  if (a === undefined || b === undefined) return [];
  const difference = `${b >= a ? '+' : '−'}${fmt(Math.abs(b - a))} instructions per request`;
  return [`| ${text} | ${ref} / ${id} = **${((a / b) * 100).toFixed(0)} %** | ${difference} |`];
});
const minutes = ((performance.now() - started) / 60_000).toFixed(1);
const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
const table = [
  '# Instructions per request (callgrind)',
  '',
  `${when} UTC, ${machine()}, load average ${startLoad} at the start, ${minutes} min in all. User-space instructions per request (system calls not counted): median of windows 2–5 without a full GC, ${fmt(WINDOW)} requests each after ${fmt(WARMUP)} of warm-up, ${CONNECTIONS} connections (\`npm run bench:instructions\`).`,
  '',
  '| row | server, request | instructions per request | notes |',
  '|---|---|---:|---|',
  ...results.map(
    (r) =>
      `| ${r.row.id} | ${r.row.label} | ${r.perRequest ? fmt(r.perRequest) : '—'} | ${r.notes.join('; ')} |`,
  ),
  '',
  ...(ratios.length > 0 ? ['| ratio | | difference |', '|---|---:|---:|', ...ratios, ''] : []),
].join('\n');
process.stdout.write(table);
fs.mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
fs.writeFileSync(join(ROOT, 'bench/results/instructions.md'), table);
log(`wrote bench/results/instructions.md (${minutes} min)`);
process.exitCode = results.some((r) => r.perRequest !== undefined) ? 0 : 1;
