/**
 * The server under soak: `node bin/keyward.js serve` as users run it, on a free port, with its output
 * scanned for warnings and errors, and stopped (SIGTERM, then SIGKILL) whatever happens.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STARTUP_MS = 120_000;
const STOP_GRACE_MS = 20_000;
const TAIL_LINES = 40;
/** Distinct warnings told apart in the report. */
const SAMPLE_KINDS = 10;
const PINO_WARN = 40;

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StopResult extends ServerExit {
  /** False when SIGTERM was not enough within STOP_GRACE_MS. */
  graceful: boolean;
  stopMs: number;
}

export interface SoakServer {
  url: string;
  pid: number | undefined;
  /** Set once the process has exited, whoever stopped it. */
  exit(): ServerExit | undefined;
  /** Lines of level warn or above the server wrote (pino JSON), and how many of each kind. */
  warnings(): { count: number; samples: string[] };
  /** The last lines of its output, for a failure report. */
  tail(): string[];
  stop(): Promise<StopResult>;
}

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

/** The caller's environment without any Keyward setting or listen address, plus `extra`. */
function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('KEYWARD_') && k !== 'PORT' && k !== 'HOST') env[k] = v;
  return { ...env, ...extra };
}

export async function startServer(env: Record<string, string>): Promise<SoakServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/keyward.js', 'serve'], {
    cwd: ROOT,
    env: serverEnv({ ...env, PORT: String(port), HOST: '127.0.0.1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never left behind, even when the soak itself crashes.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let exit: ServerExit | undefined;
  const exited = once(child, 'exit').then(([code, signal]) => {
    exit = { code: code as number | null, signal: signal as NodeJS.Signals | null };
    process.off('exit', killOnExit);
  });
  const output = scanOutput(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(url, () => exit !== undefined);
  } catch (err) {
    await stopChild(child, exited, () => exit);
    throw new Error(`${(err as Error).message}\n  ${output.tail().join('\n  ')}`);
  }
  return {
    url,
    pid: child.pid,
    exit: () => exit,
    warnings: output.warnings,
    tail: output.tail,
    stop: () => stopChild(child, exited, () => exit),
  };
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<void>,
  exit: () => ServerExit | undefined,
): Promise<StopResult> {
  const started = Date.now();
  let graceful = true;
  if (exit() === undefined) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      graceful = false;
      child.kill('SIGKILL');
    }, STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
  const e = exit() ?? { code: null, signal: null };
  return { ...e, graceful, stopMs: Date.now() - started };
}

function scanOutput(child: ChildProcess) {
  const last: string[] = [];
  const kinds = new Map<string, number>();
  let count = 0;
  const onLine = (line: string) => {
    last.push(line.slice(0, 2_000));
    if (last.length > TAIL_LINES) last.shift();
    const kind = warningKind(line);
    if (kind === undefined) return;
    count++;
    if (kinds.has(kind) || kinds.size < SAMPLE_KINDS) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  };
  for (const stream of [child.stdout, child.stderr])
    if (stream) createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', onLine);
  return {
    warnings: () => ({ count, samples: [...kinds].map(([kind, n]) => `${n} × ${kind}`) }),
    tail: () => [...last],
  };
}

/**
 * For a pino line of level warn or above, its level, message and error message (what tells one
 * problem from another); any line that is not pino JSON (a crash, a Node warning) is its own kind.
 * Undefined for lines below warn.
 */
function warningKind(line: string): string | undefined {
  if (line.trim() === '') return undefined;
  let entry: { level?: unknown; msg?: unknown; err?: { message?: unknown } };
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    return line.slice(0, 300);
  }
  if (typeof entry.level === 'number' && entry.level < PINO_WARN) return undefined;
  const error = typeof entry.err?.message === 'string' ? `: ${entry.err.message}` : '';
  return `level ${entry.level} "${String(entry.msg ?? '')}"${error}`.slice(0, 300);
}

async function waitUntilAnswering(url: string, gone: () => boolean): Promise<void> {
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline) {
    if (gone()) throw new Error('the server exited before answering; its last output:');
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the server did not answer GET /healthz within ${STARTUP_MS / 1000} s; its last output:`);
}
