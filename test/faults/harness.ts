/**
 * What the fault suites start and break: a redis-server of their own (killed and restarted on its
 * port), a PostgreSQL cluster of their own (stopped and started), and real `keyward serve` processes
 * whose output is kept for the assertions. Everything is on loopback and is torn down by `stop()`.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { systemClock } from '../../src/core/clock.ts';
import { createApiKey } from '../../src/credentials/api-keys.ts';
import type { CredentialContext } from '../../src/credentials/context.ts';
import { freePort } from '../support/cli.ts';
import { testDatabaseUrl, testRedisUrl, uniqueName } from '../support/services.ts';
import type { TestDatabase } from '../support/storages.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/keyward.js', import.meta.url));

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** The shared services' URLs, or undefined (skipped loudly; under CI=true services.ts throws). */
export function faultServices(): { databaseUrl: string; redisUrl: string } | undefined {
  const databaseUrl = testDatabaseUrl();
  const redisUrl = testRedisUrl();
  if (!databaseUrl || !redisUrl) return undefined;
  // Where the shared services run, so do their binaries: a missing one is a broken machine, not a skip.
  for (const tool of ['redis-server', 'pg_createcluster', 'pg_ctlcluster', 'pg_dropcluster']) {
    if (spawnSync('which', [tool]).status !== 0) throw new Error(`fault tests need ${tool} on PATH`);
  }
  return { databaseUrl, redisUrl };
}

/** Waits until something accepts TCP connections on the port. */
async function waitForPort(port: number, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Kills `child` if this test process exits first (a crashed or timed-out worker leaves nothing running). */
function killAtExit(child: ChildProcess): void {
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.removeListener('exit', kill));
}

/** A redis-server of the test's own, on a port of its own, keeping nothing on disk. */
export class OwnRedis {
  private child: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again) on the same port. */
  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const child = spawn('redis-server', [...args, '--daemonize', 'no'], { stdio: 'ignore' });
    killAtExit(child);
    this.child = child;
    await waitForPort(this.port, 'redis-server');
    // Something else on the port (it was free a moment ago): redis-server exits at once.
    await sleep(50);
    if (child.exitCode !== null) throw new Error(`redis-server could not listen on ${this.port}`);
  }

  /** SIGKILL: the sockets close at once, nothing is said to the clients. */
  async kill(): Promise<void> {
    if (this.child) await stopChild(this.child, 'SIGKILL');
    this.child = undefined;
  }

  async stop(): Promise<void> {
    if (this.child) await stopChild(this.child, 'SIGTERM');
    this.child = undefined;
  }
}

const CLUSTER_PREFIX = 'kwfault_';

/** A PostgreSQL cluster of the test's own (pg_createcluster), trust auth, on loopback only. */
export class OwnCluster {
  private dropped = false;
  private readonly dropAtExit = () => {
    if (!this.dropped) spawnSync('pg_dropcluster', ['--stop', this.version, this.name]);
  };

  private constructor(
    readonly version: string,
    readonly name: string,
    readonly port: number,
  ) {}

  static async create(): Promise<OwnCluster> {
    const version = readdirSync('/etc/postgresql').sort().at(-1);
    if (!version) throw new Error('no PostgreSQL version under /etc/postgresql');
    dropAbandonedClusters(version);
    const cluster = new OwnCluster(
      version,
      `${CLUSTER_PREFIX}${process.pid}_${Date.now()}`,
      await freePort(),
    );
    // listen_addresses stays the default, localhost: loopback only.
    const settings = ['fsync=off', 'synchronous_commit=off', 'max_connections=60'];
    await run('pg_createcluster', [
      version,
      cluster.name,
      '-p',
      String(cluster.port),
      ...settings.flatMap((s) => ['-o', s]),
      '--',
      '--auth=trust',
    ]);
    // A test process that dies before its afterAll must not leave a running cluster behind.
    process.once('exit', cluster.dropAtExit);
    try {
      await cluster.start();
    } catch (err) {
      await cluster.drop().catch(() => {});
      throw err;
    }
    return cluster;
  }

  /** The cluster's own `postgres` database. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    await this.ctl('start');
  }

  /** Fast shutdown: every session is told 57P01 and closed, then connections are refused. */
  async stop(): Promise<void> {
    await this.ctl('stop');
  }

  async drop(): Promise<void> {
    if (this.dropped) return;
    await run('pg_dropcluster', ['--stop', this.version, this.name]);
    this.dropped = true;
    process.removeListener('exit', this.dropAtExit);
  }

  private async ctl(action: 'start' | 'stop'): Promise<void> {
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', this.version, this.name, action]);
  }
}

/** Clusters an earlier run left behind (its process gone), found by our name prefix only. */
function dropAbandonedClusters(version: string): void {
  for (const name of readdirSync(`/etc/postgresql/${version}`)) {
    const pid = Number(/^kwfault_(\d+)_/.exec(name)?.[1]);
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    spawnSync('pg_dropcluster', ['--stop', version, name]);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A `keyward serve` process, its output kept whole. */
export interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Running, and never crashed or logged an uncaught error. */
  problems(): string[];
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

/** The test runner's environment without any Keyward setting (as test/support/cli.ts does). */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([n]) => !n.startsWith('KEYWARD_') && n !== 'PORT' && n !== 'HOST'),
  );
  return { ...clean, ...env };
}

const CRASH_SIGNS = /Unhandled|uncaught|ERR_UNHANDLED|FATAL ERROR|Segmentation fault/i;

export async function startInstance(name: string, env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve'], {
    cwd: ROOT,
    env: childEnv({
      PORT: String(port),
      HOST: '127.0.0.1',
      KEYWARD_LOG_LEVEL: 'warn',
      KEYWARD_WEBHOOK_WORKER: 'false',
      ...env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killAtExit(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const instance: Instance = {
    name,
    url,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    problems() {
      const found: string[] = [];
      if (exited()) {
        found.push(`${name} exited (code ${child.exitCode}, signal ${child.signalCode}); stderr ends:`);
        found.push(stderr.slice(-1500));
      }
      const signs = new Map<string, number>();
      for (const line of stderr.split('\n').filter((l) => CRASH_SIGNS.test(l))) {
        const shape = line.replace(/\d+/g, 'N').slice(0, 200);
        signs.set(shape, (signs.get(shape) ?? 0) + 1);
      }
      for (const [line, n] of signs) found.push(`${name} stderr: ${line} ×${n}`);
      return found;
    },
    async stop() {
      const started = Date.now();
      await stopChild(child, 'SIGTERM', 10_000);
      return { code: child.exitCode, signal: child.signalCode, ms: Date.now() - started };
    },
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`${name} exited ${child.exitCode} at start: ${stderr}${stdout}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return instance;
    await sleep(100);
  }
  await instance.stop();
  throw new Error(`${name} did not become healthy: ${stderr}${stdout}`);
}

/** Plans without a budget that the load could exhaust: the suites test outages, not limits. */
export function unlimitedPlansFile(): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-faults-'));
  const path = join(dir, 'plans.json');
  const unlimited = { api_access: true, key_rate_limit: '10000000/h', workspace_rate_limit: '10000000/h' };
  writeFileSync(path, JSON.stringify({ professional: unlimited }));
  return { path, remove: () => existsSync(dir) && rmSync(dir, { recursive: true, force: true }) };
}

/** A professional workspace and a read:write key in the test's database (as the CLI would mint it). */
export async function mintKey(db: TestDatabase): Promise<string> {
  const workspace = await db.storage.workspaces.create({ name: 'Faults', plan: 'professional' }, Date.now());
  const ctx: CredentialContext = {
    storage: db.storage,
    clock: systemClock,
    keyPrefix: 'spk_',
    tokenPrefix: 'spi_',
    plans: new Map(),
    notify: async () => {},
  };
  const issued = await createApiKey(ctx, { workspaceId: workspace.id, name: 'load', scope: 'read:write' });
  return issued.secret;
}

/** A name for the servers' PostgreSQL sessions, so a test can find (and terminate) exactly those. */
export const applicationName = () => uniqueName('kwfault');

/** `url` with query parameters set (search_path stays as the TestDatabase URL has it). */
export function withParams(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}
