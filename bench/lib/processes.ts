/** Server processes for the benchmark: a free port, spawn, wait until it answers, read its RSS, stop it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The environment without any KEYWARD_* setting of the caller's shell, plus the given ones. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('KEYWARD_')) env[k] = v;
  return { ...env, ...extra };
}

export interface ServerProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** Resident set size now, in MiB (Linux /proc). */
  rssMiB(): number | undefined;
  /** The highest resident set size since the process started, in MiB. */
  peakRssMiB(): number | undefined;
  /** CPU time (user + system) the process has used so far, in ms (Linux /proc). */
  cpuMs(): number | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  /** Node arguments, e.g. ['bin/keyward.js', 'serve', '--port', '1234']. */
  args: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  /** Directory for the server's stdout/stderr. */
  logDir: string;
  /** Adds an IPC channel (the instrumented server answers snapshot requests on it). */
  ipc?: boolean;
}

export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const log = createWriteStream(join(options.logDir, `${options.name}.server.log`));
  const child = spawn(process.execPath, options.args, {
    cwd: ROOT,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const url = `http://127.0.0.1:${options.port}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  await waitUntilAnswering(url, exited, options.name);
  return {
    name: options.name,
    url,
    child,
    rssMiB: () => statusKiB(child.pid, 'VmRSS'),
    peakRssMiB: () => statusKiB(child.pid, 'VmHWM'),
    cpuMs: () => cpuOf(child.pid),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}

async function waitUntilAnswering(url: string, exited: Promise<number | null>, name: string): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`${name}: the server exited before answering (see its .server.log)`);
    try {
      await fetch(`${url}/healthz`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${name}: the server did not answer within 60 s`);
}

/** A memory figure of /proc/<pid>/status (VmRSS now, VmHWM peak), in MiB. */
function statusKiB(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

// /proc/<pid>/stat counts in clock ticks; Linux reports them at 100 per second (getconf CLK_TCK).
const TICK_MS = 10;

function cpuOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

/** Runs a node script to completion and returns its stdout; rejects on a non-zero exit. */
export function runNode(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`node ${args.join(' ')} exited ${code}: ${err.trim().slice(-2000)}`));
    });
  });
}
