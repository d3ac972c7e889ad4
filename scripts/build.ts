/**
 * The one place that builds Keyward and decides when a build is due:
 *
 * - the server: `src/` (tests excluded) compiled by `tsc -p tsconfig.build.json` into `dist/`, which
 *   `bin/keyward.js` runs;
 * - the dashboard: `web/` built by Vite into `web/dist`, which `keyward serve` serves.
 *
 * `npm run build` (`node --import tsx scripts/build.ts`) type-checks and builds both. With
 * `--if-stale` (`npm start`'s `prestart`, and vitest's global setup through `ensureBuilt`) only what
 * is missing or older than its sources is built, and the build goes on despite type errors (logged),
 * as tsx ran the sources before: type errors are `npm run typecheck`'s to report.
 *
 * `keyward serve` never builds: this file is not part of the package and imports Vite and tsc only
 * here. Each build goes to a temporary folder and its files are then renamed into place one by one,
 * the marker file (`dist/cli/main.js`, `web/dist/index.html`) last, under a lock file: several test
 * runs and servers in one checkout build once, and a process starting meanwhile never reads a
 * half-written file. The marker's modification time is set to when the build started, so a source
 * saved during the build makes the next check build again.
 */
import { spawn } from 'node:child_process';
import { mkdir, open, readdir, rename, rm, rmdir, stat, utimes } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const WEB_ROOT = join(ROOT, 'web');
export const SERVER_DIST = join(ROOT, 'dist');
export const DASHBOARD_DIST = join(WEB_ROOT, 'dist');
// A lock older than this was left by a build that died; anything alive finishes well within it.
const STALE_LOCK_MS = 5 * 60_000;

export type BuildState = 'fresh' | 'missing' | 'stale';
export type BuildResult = BuildState | 'built' | 'failed';

export interface BuildLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

interface Target {
  name: 'server' | 'dashboard';
  /** The folder the build fills. */
  out: string;
  /** Written last; missing means not built, older than a source means stale. */
  marker: string;
  /** Files and folders whose newest modification time is compared with the marker's. */
  sources: string[];
  /** Source files that do not count (tests beside the code). */
  ignore?: (path: string) => boolean;
  lock: string;
  /** Temporary folders are `<tmpBase>-tmp-<pid>-<time>` (git-ignored). */
  tmpBase: string;
  /** Builds into `tmp`; `strict`: fail on type errors instead of logging them. */
  build(tmp: string, log: BuildLog, strict: boolean): Promise<void>;
}

const SERVER: Target = {
  name: 'server',
  out: SERVER_DIST,
  marker: 'cli/main.js',
  sources: [join(ROOT, 'src'), join(ROOT, 'tsconfig.json'), join(ROOT, 'tsconfig.build.json')],
  ignore: (path) => path.endsWith('.test.ts'),
  lock: join(ROOT, '.dist-build.lock'),
  tmpBase: join(ROOT, '.dist'),
  build: async (tmp, log, strict) => {
    const result = await tsc(['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', tmp]);
    // tsc exits 2 when it found type errors but wrote every file (1: it wrote nothing).
    if (result.code === 0) return;
    if (result.code === 2 && !strict) {
      log.error({ diagnostics: result.output.trim() }, 'the server has type errors (built anyway)');
      return;
    }
    throw new Error(`tsc -p tsconfig.build.json failed:\n${result.output}`);
  },
};

const DASHBOARD: Target = {
  name: 'dashboard',
  out: DASHBOARD_DIST,
  marker: 'index.html',
  sources: ['src', 'public', 'index.html', 'vite.config.ts'].map((s) => join(WEB_ROOT, s)),
  lock: join(WEB_ROOT, '.dist-build.lock'),
  tmpBase: join(WEB_ROOT, '.dist'),
  build: async (tmp, _log, strict) => {
    if (strict) {
      const result = await tsc(['-p', join(WEB_ROOT, 'tsconfig.json'), '--noEmit']);
      if (result.code !== 0) throw new Error(`tsc -p web/tsconfig.json failed:\n${result.output}`);
    }
    await viteBuild(tmp);
  },
};

function tsc(args: string[]): Promise<{ code: number | null; output: string }> {
  const bin = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

async function viteBuild(outDir: string): Promise<void> {
  const { build } = await import('vite');
  // Vite and the React plugin read NODE_ENV to decide what a production build is; under a test runner it
  // is `test`, which would ship React's development bundle and JSX runtime. Restored right after.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: join(WEB_ROOT, 'vite.config.ts'),
      root: WEB_ROOT,
      mode: 'production',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}

async function mtime(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The newest modification time under `path`; folders count too (a deleted file changes its folder's). */
async function newestMtime(path: string, ignore?: (path: string) => boolean): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return ignore?.(path) ? 0 : info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path))
    newest = Math.max(newest, await newestMtime(join(path, entry), ignore));
  return newest;
}

async function stateOf(target: Target): Promise<BuildState> {
  const built = await mtime(join(target.out, target.marker));
  if (built === undefined) return 'missing';
  const sources = await Promise.all(target.sources.map((s) => newestMtime(s, target.ignore)));
  return Math.max(...sources) > built ? 'stale' : 'fresh';
}

export const serverBuildState = () => stateOf(SERVER);
export const dashboardBuildState = () => stateOf(DASHBOARD);

/** Takes a build lock, waiting while another process (a second test run, `npm start`) holds it. */
async function acquireLock(lock: string): Promise<void> {
  for (;;) {
    try {
      await (await open(lock, 'wx')).close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const age = Date.now() - ((await mtime(lock)) ?? Date.now());
    if (age > STALE_LOCK_MS) await rm(lock, { force: true });
    else await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Every file under `dir`, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => !e.isDirectory()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

/**
 * Moves the build in `tmp` into `out` file by file (each rename replaces one file at once), the
 * marker last, then deletes what the new build no longer has.
 */
async function install(tmp: string, out: string, marker: string): Promise<void> {
  const files = await filesUnder(tmp);
  if (!files.includes(marker)) throw new Error(`the build wrote no ${marker}`);
  for (const file of [...files.filter((f) => f !== marker), marker]) {
    await mkdir(dirname(join(out, file)), { recursive: true });
    await rename(join(tmp, file), join(out, file));
  }
  const kept = new Set(files);
  for (const file of await filesUnder(out)) if (!kept.has(file)) await rm(join(out, file), { force: true });
  await removeEmptyFolders(out);
}

async function removeEmptyFolders(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    await removeEmptyFolders(path);
    await rmdir(path).catch(() => {}); // fails unless empty
  }
}

async function buildTarget(target: Target, log: BuildLog, strict: boolean, reason: string): Promise<void> {
  const started = Date.now();
  const tmp = `${target.tmpBase}-tmp-${process.pid}-${started}`;
  log.info({ reason, out: target.out }, `building the ${target.name} (${reason})`);
  try {
    await target.build(tmp, log, strict);
    const startedSeconds = started / 1000;
    await utimes(join(tmp, target.marker), startedSeconds, startedSeconds);
    await install(tmp, target.out, target.marker);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  log.info({ build_ms: Date.now() - started }, `${target.name} built`);
}

/**
 * Builds a target if it is missing or stale (`force`: in any case, failing on type errors). A failed
 * build is logged and returned as `'failed'`, not thrown.
 */
async function ensure(target: Target, log: BuildLog, force = false): Promise<BuildResult> {
  const state = await stateOf(target);
  if (state === 'fresh' && !force) return state;
  let locked = false;
  try {
    await acquireLock(target.lock);
    locked = true;
    // Whoever held the lock may just have built it.
    const now = await stateOf(target);
    if (now === 'fresh' && !force) return 'fresh';
    await buildTarget(target, log, force, force ? 'npm run build' : `the build is ${now}`);
    return 'built';
  } catch (err) {
    log.error(
      { err: { message: (err as Error).message } },
      `building the ${target.name} failed${force ? '' : '; run npm run build to see why'}`,
    );
    return 'failed';
  } finally {
    if (locked) await rm(target.lock, { force: true });
  }
}

/** Compiles `src/` into `dist/` if it is missing or older than its sources. */
export const ensureServerBuilt = (log: BuildLog) => ensure(SERVER, log);

/** Builds `web/dist` with Vite if it is missing or older than its sources. */
export const ensureDashboardBuilt = (log: BuildLog) => ensure(DASHBOARD, log);

/** Both, side by side (tsc runs in its own process, Vite in this one). */
export async function ensureBuilt(
  log: BuildLog,
  force = false,
): Promise<{ server: BuildResult; dashboard: BuildResult }> {
  const [server, dashboard] = await Promise.all([ensure(SERVER, log, force), ensure(DASHBOARD, log, force)]);
  return { server, dashboard };
}

/** `node --import tsx scripts/build.ts [--if-stale]`: exits 1 when a build failed. */
async function cli(args: string[]): Promise<number> {
  const unknown = args.filter((a) => a !== '--if-stale');
  if (unknown.length > 0) {
    console.error(`usage: node --import tsx scripts/build.ts [--if-stale]   (unknown: ${unknown.join(' ')})`);
    return 2;
  }
  const log: BuildLog = {
    info: (_obj, msg) => console.log(`[build] ${msg}`),
    error: (obj, msg) => {
      const detail = 'diagnostics' in obj ? obj.diagnostics : 'err' in obj ? (obj.err as Error).message : '';
      console.error(`[build] ${msg}${detail ? `\n${detail}` : ''}`);
    },
  };
  const result = await ensureBuilt(log, !args.includes('--if-stale'));
  return result.server === 'failed' || result.dashboard === 'failed' ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await cli(process.argv.slice(2));
}
