/**
 * A CPU profile of Keyward under load: `node --cpu-prof` on `keyward serve`, load from autocannon in
 * another process, then a summary (bench/profile-summary.ts) of the measured window only.
 *
 *   node --import tsx bench/profile.ts [memory|redis|verify|write|rotate|baseline]   (BENCH_DURATION, BENCH_CONNECTIONS)
 *
 * The profile is kept as bench/results/profile-<scenario>.cpuprofile.json (git-ignored; Chrome
 * DevTools → Performance → Load profile opens it).
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drive } from './lib/drive.ts';
import { cleanEnv, freePort, ROOT, startServer } from './lib/processes.ts';
import { clearRedisCounters, redisUrl } from './lib/services.ts';
import type { LoadSpec } from './load.ts';
import { type CpuProfile, formatSummary, summarise } from './profile-summary.ts';
import { seed, writeHugePlans } from './seed.ts';

const scenario = process.argv[2] ?? 'memory';
const SCENARIOS = ['memory', 'redis', 'verify', 'write', 'rotate', 'baseline'];
if (!SCENARIOS.includes(scenario)) {
  console.error(`usage: node --import tsx bench/profile.ts [${SCENARIOS.join('|')}]`);
  process.exit(2);
}
const SERVICE_TOKEN = 'bench-service-token-0123456789';
const durationSec = Number(process.env.BENCH_DURATION ?? 15);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);

const work = mkdtempSync(join(tmpdir(), 'keyward-profile-'));
const plansFile = join(work, 'plans.json');
writeHugePlans(plansFile);
const db = `sqlite:${join(work, 'profile.db')}`;
const rotating = scenario === 'rotate' ? 10_000 : 1;
const seeded = await seed(db, { credentials: rotating, activeKeys: rotating });
const secretsFile = join(work, 'secrets.json');
if (scenario === 'rotate') writeFileSync(secretsFile, JSON.stringify(seeded.secrets));

const port = await freePort();
const profDir = join(work, 'prof');
const spawnedAt = performance.now();
const profiling = ['--cpu-prof', `--cpu-prof-dir=${profDir}`];
const server = await startServer({
  name: `profile-${scenario}`,
  ...(scenario === 'baseline'
    ? {
        // The bare Fastify app, for comparison: what the stack itself costs per request.
        args: [...profiling, '--import', 'tsx', 'bench/baseline-server.ts'],
        env: cleanEnv({
          PORT: String(port),
          BENCH_BODY: JSON.stringify({
            data: {
              ok: true,
              workspace_id: seeded.workspaceId,
              credential: {
                id: seeded.key.id,
                kind: 'api_key',
                name: seeded.key.name,
                scopes: ['read:write'],
              },
            },
          }),
        }),
      }
    : {
        args: [...profiling, 'bin/keyward.js', 'serve', '--port', String(port)],
        env: cleanEnv({
          KEYWARD_DATABASE_URL: db,
          KEYWARD_PLANS: plansFile,
          KEYWARD_LOG_LEVEL: 'warn',
          KEYWARD_SERVICE_TOKEN: SERVICE_TOKEN,
          ...(scenario === 'redis' ? { KEYWARD_REDIS_URL: redisUrl() } : {}),
        }),
      }),
  port,
  logDir: work,
});

const headers = { authorization: `Bearer ${seeded.key.secret}` };
const common = { connections, durationSec, warmupSec: 0 };
const loads: Record<string, LoadSpec> = {
  write: {
    url: `${server.url}/v1/boards/${seeded.boardId}/posts`,
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Profiled post', body: 'Posted under the profiler.' }),
    ...common,
  },
  verify: {
    url: `${server.url}/v1/keys/verify`,
    method: 'POST',
    headers: { authorization: `Bearer ${SERVICE_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ key: seeded.key.secret }),
    ...common,
  },
  rotate: { url: `${server.url}/v1/ping`, method: 'GET', headers, rotateSecretsFile: secretsFile, ...common },
};
const load = loads[scenario] ?? { url: `${server.url}/v1/ping`, method: 'GET', headers, ...common };

await drive([{ ...load, durationSec: 3 }]);
const from = performance.now() - spawnedAt;
const measured = await drive([load]);
const to = performance.now() - spawnedAt;
await server.stop();
if (scenario === 'redis') await clearRedisCounters(redisUrl(), [seeded.key.id, seeded.workspaceId]);

const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error('the server wrote no profile');
const kept = join(ROOT, `bench/results/profile-${scenario}.cpuprofile.json`);
copyFileSync(join(profDir, file), kept);
const profile = JSON.parse(readFileSync(kept, 'utf8')) as CpuProfile;
console.log(
  `${scenario}: ${Math.round(measured.rps)} req/s, p99 ${measured.latency.p99.toFixed(2)} ms over ${durationSec} s under the profiler`,
);
console.log(`profile: ${kept.slice(ROOT.length)} (window ${Math.round(from)}–${Math.round(to)} ms)\n`);
console.log(
  formatSummary(
    summarise(profile, { fromMs: from, toMs: to }),
    Number(process.env.BENCH_TOP ?? 30),
    measured.responses,
  ),
);
rmSync(work, { recursive: true, force: true });
