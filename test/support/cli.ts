/** Runs the `keyward` command as a user would (`node bin/keyward.js …`) and a real `keyward serve`. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/keyward.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The test runner's environment without any Keyward setting, plus `env`: nothing leaks in by accident. */
function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('KEYWARD_') && name !== 'PORT' && name !== 'HOST',
    ),
  );
  return { ...clean, ...env };
}

export async function runCli(
  args: readonly string[],
  env: Record<string, string | undefined>,
): Promise<CliResult> {
  const { code, stdout, stderr } = await runCliWithin(args, env, Number.POSITIVE_INFINITY);
  return { code, stdout, stderr };
}

export interface TimedCliResult extends CliResult {
  /** The process did not exit by itself within the time and was killed (`code` is then null). */
  timedOut: boolean;
  /** From spawn to exit. */
  ms: number;
}

/** Like runCli, for a command that must end by itself: killed (SIGKILL) after `timeoutMs`. */
export async function runCliWithin(
  args: readonly string[],
  env: Record<string, string | undefined>,
  timeoutMs: number,
): Promise<TimedCliResult> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv(env), stdio: 'pipe' });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  let timedOut = false;
  const timer = Number.isFinite(timeoutMs)
    ? setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs)
    : undefined;
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr, timedOut, ms: performance.now() - started };
}

/** Runs a command that must succeed and returns its stdout parsed as the one JSON object it prints. */
export async function runCliJson<T = Record<string, unknown>>(
  args: readonly string[],
  env: Record<string, string | undefined>,
): Promise<T> {
  const r = await runCli([...args, '--json'], env);
  if (r.code !== 0) throw new Error(`keyward ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

export interface RunningCliServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts `keyward serve` on a free port and waits until /healthz answers. */
export async function startServer(env: Record<string, string | undefined>): Promise<RunningCliServer> {
  const { url, stop } = await startServerProcess(env);
  return { url, stop };
}

export interface ServerProcess extends RunningCliServer {
  port: number;
  child: ChildProcess;
  /** What the process wrote to stderr so far. */
  stderr(): string;
  /** Settles once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** startServer, keeping hold of the process: for tests that signal it and watch it exit. */
export async function startServerProcess(env: Record<string, string | undefined>): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port)], {
    cwd: ROOT,
    env: childEnv({ KEYWARD_LOG_LEVEL: 'silent', HOST: '127.0.0.1', ...env }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  const server: ServerProcess = {
    url,
    port,
    child,
    stderr: () => stderr,
    exited,
    stop: () => stopChild(child),
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`keyward serve exited ${child.exitCode}: ${stderr}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return server;
    await new Promise((r) => setTimeout(r, 100));
  }
  await server.stop();
  throw new Error(`keyward serve did not become healthy: ${stderr}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
