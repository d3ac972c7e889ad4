/**
 * Instructions per request, counted by valgrind's callgrind: the same count within a fraction of a
 * percent from one run to the next whatever else the machine is doing, where req/s and CPU time on
 * a shared 2-vCPU box move by ±15 %. Use it to see whether a change to the hot path helped.
 *
 *   node --import tsx bench/instructions.ts [requests=5000] [baseline,ping,verify]   (BENCH_KEEP=1 keeps the dumps)
 *
 * Run it alone: two callgrind runs side by side did not repeat (the idle correction and V8's
 * time-driven work grow with the wall time).
 *
 * Each server runs under callgrind with instrumentation off (`--instr-atstart=no`), gets twice the
 * measured number of requests as warm-up, then `callgrind_control -i on`, the measured requests
 * (autocannon, 10 connections), `-i off` and a dump. Fewer than ~5 000 requests (10 000 of warm-up)
 * leaves V8's compilation of the hot path inside the window and the counts stop repeating. Keyward is
 * bench/servers/instrumented.ts with BENCH_QUIET: no usage writes, invalidation poll, webhook worker
 * or jobs during the window (under valgrind a request takes ~50× longer, so once-a-second work
 * would weigh ~50× more per request than at full speed, and with the machine's load). What is left
 * idle over the same wall time is counted separately and subtracted. Only user-space instructions
 * are counted: the system calls (one read, one write per request) are the same for every row. V8
 * runs with `--single-threaded`, so compilation and GC happen on the measured thread and are
 * counted, and `--no-memory-reducer`, whose extra collections when a server looks idle depend on
 * the wall time, not on the requests. Dumps are callgrind files; with
 * `--perf-basic-prof` (BENCH_PERF_MAP=1) the JIT code addresses in them can be named from
 * /tmp/perf-<pid>.map.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_TOKEN } from './lib/launch.ts';
import { cleanEnv, freePort, ROOT } from './lib/processes.ts';
import { seed, writeHugePlans } from './seed.ts';

const requests = Number(process.argv[2] ?? 5000);
const work = mkdtempSync(join(tmpdir(), 'keyward-instructions-'));
const has = (command: string) => {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
if (!has('valgrind')) {
  console.error('bench/instructions.ts needs valgrind (apt-get install valgrind)');
  process.exit(2);
}

const plans = join(work, 'plans.json');
writeHugePlans(plans);
const db = `sqlite:${join(work, 'main.db')}`;
const seeded = await seed(db);
const pingBody = JSON.stringify({
  data: {
    ok: true,
    workspace_id: seeded.workspaceId,
    credential: { id: seeded.key.id, kind: 'api_key', name: seeded.key.name, scopes: ['read:write'] },
  },
});

interface Subject {
  id: string;
  name: string;
  args: string[];
  env: Record<string, string>;
  path: string;
  headers: string[];
  body?: string;
  /** Count the idle cost over the request window and subtract it. */
  idle: boolean;
}

const keywardEnv = (port: number) => ({
  PORT: String(port),
  KEYWARD_DATABASE_URL: db,
  KEYWARD_PLANS: plans,
  KEYWARD_LOG_LEVEL: 'warn',
  KEYWARD_SERVICE_TOKEN: SERVICE_TOKEN,
  BENCH_QUIET: '1',
});
const instrumented = ['--import', 'tsx', 'bench/servers/instrumented.ts'];
const only = process.argv[3]?.split(',');
const subjects = (port: number): Subject[] => [
  {
    id: 'baseline',
    name: 'baseline (bare Fastify)',
    args: ['--import', 'tsx', 'bench/baseline-server.ts'],
    env: { PORT: String(port), BENCH_BODY: pingBody },
    path: '/v1/ping',
    headers: [],
    idle: false,
  },
  {
    id: 'ping',
    name: 'keyward GET /v1/ping',
    args: instrumented,
    env: keywardEnv(port),
    path: '/v1/ping',
    headers: ['-H', `authorization: Bearer ${seeded.key.secret}`],
    idle: true,
  },
  {
    id: 'verify',
    name: 'keyward POST /v1/keys/verify',
    args: instrumented,
    env: keywardEnv(port),
    path: '/v1/keys/verify',
    headers: ['-H', `authorization: Bearer ${SERVICE_TOKEN}`, '-H', 'content-type: application/json'],
    body: JSON.stringify({ key: seeded.key.secret }),
    idle: true,
  },
];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const autocannon = join(ROOT, 'node_modules/.bin/autocannon');

async function waitFor(url: string, seconds: number): Promise<void> {
  for (let i = 0; i < seconds * 2; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await sleep(500);
    }
  }
  throw new Error(`${url} did not answer within ${seconds} s`);
}

function load(s: Subject, port: number, count: number): void {
  const args = ['-c', '10', '-a', String(count), ...s.headers];
  if (s.body) args.push('-m', 'POST', '-b', s.body);
  const out = execFileSync(autocannon, [...args, '-j', `http://127.0.0.1:${port}${s.path}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const result = JSON.parse(out) as { non2xx: number; errors: number };
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${s.name}: ${result.non2xx} non-2xx answers`);
}

/** Instructions counted between `-i on` and `-i off` around `during`; its wall time in ms. */
async function counted(pid: number, during: () => Promise<void> | void): Promise<number> {
  const control = (...args: string[]) =>
    execFileSync('callgrind_control', [...args, String(pid)], { stdio: 'ignore' });
  control('-i', 'on');
  await during();
  control('-i', 'off');
  control('-d');
  await sleep(500);
  const dumps = readdirSync(work).filter((f) => f.startsWith(`cg.${pid}.`));
  const latest = dumps.sort((a, b) => Number(b.split('.').pop()) - Number(a.split('.').pop()))[0];
  if (!latest) throw new Error('callgrind wrote no dump');
  const total = /^totals:\s+(\d+)/m.exec(readFileSync(join(work, latest), 'utf8'))?.[1];
  rmSync(join(work, latest));
  return Number(total);
}

async function measure(s: Subject): Promise<{ perRequest: number; idlePerRequest: number }> {
  const port = await freePort();
  const subject = { ...s, env: { ...s.env, PORT: String(port) } };
  const node = [
    '--single-threaded',
    '--no-memory-reducer',
    ...(process.env.BENCH_PERF_MAP ? ['--perf-basic-prof'] : []),
    ...s.args,
  ];
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      '--smc-check=all-non-file',
      `--callgrind-out-file=${join(work, 'cg.%p')}`,
      process.execPath,
      ...node,
    ],
    { cwd: ROOT, env: cleanEnv(subject.env), stdio: 'ignore' },
  );
  try {
    await waitFor(`http://127.0.0.1:${port}/healthz`, 240);
    load(subject, port, requests * 2);
    const started = performance.now();
    const total = await counted(child.pid!, () => load(subject, port, requests));
    const wallMs = performance.now() - started;
    const idle = s.idle ? await counted(child.pid!, () => sleep(wallMs)) : 0;
    return { perRequest: (total - idle) / requests, idlePerRequest: idle / requests };
  } finally {
    child.kill('SIGKILL');
  }
}

const results: [string, { perRequest: number; idlePerRequest: number }][] = [];
for (const s of subjects(0).filter((x) => !only || only.includes(x.id))) {
  process.stderr.write(`▶ ${s.name} under callgrind (a few minutes)\n`);
  results.push([s.name, await measure(s)]);
}
const base = results[0]![1].perRequest;
console.log(`\ninstructions per request, ${requests} requests each (callgrind; user space only)\n`);
console.log(
  `${'row'.padEnd(30)}  ${'instr/req'.padStart(10)}  ${'baseline ÷ row'.padStart(14)}  idle subtracted`,
);
for (const [name, r] of results) {
  const ratio = `${((base / r.perRequest) * 100).toFixed(1)} %`;
  console.log(
    `${name.padEnd(30)}  ${Math.round(r.perRequest).toLocaleString('en-US').padStart(10)}  ${ratio.padStart(14)}  ${Math.round(r.idlePerRequest).toLocaleString('en-US')}/req`,
  );
}
if (!process.env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
else console.log(`kept ${work}`);
