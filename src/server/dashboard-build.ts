/**
 * Builds the dashboard (web/ → web/dist) with Vite when the build is missing or older than its
 * sources, so `keyward serve` on a fresh checkout serves a current dashboard with no separate step.
 */
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));
const DIST = join(WEB_ROOT, 'dist');
const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts'];
const LOCK = join(WEB_ROOT, '.dist-build.lock');
// A lock older than this was left by a build that died; anything alive finishes well within it.
const STALE_LOCK_MS = 5 * 60_000;

export type BuildState = 'fresh' | 'missing' | 'stale';

interface Log {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

async function mtime(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestMtime(join(path, entry)));
  return newest;
}

export async function dashboardBuildState(): Promise<BuildState> {
  const built = await mtime(join(DIST, 'index.html'));
  if (built === undefined) return 'missing';
  const sources = await Promise.all(SOURCES.map((s) => newestMtime(join(WEB_ROOT, s))));
  return Math.max(...sources) > built ? 'stale' : 'fresh';
}

/** Takes the build lock, waiting while another process (a second `serve`, a test) holds it. */
async function acquireLock(): Promise<void> {
  for (;;) {
    try {
      await (await open(LOCK, 'wx')).close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const age = Date.now() - ((await mtime(LOCK)) ?? Date.now());
    if (age > STALE_LOCK_MS) await rm(LOCK, { force: true });
    else await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Runs `vite build` into a temporary folder and swaps it in, so web/dist is never half-written. */
export async function buildDashboard(): Promise<void> {
  const { build } = await import('vite');
  const tmp = join(WEB_ROOT, `.dist-tmp-${process.pid}-${Date.now()}`);
  const old = join(WEB_ROOT, `.dist-old-${process.pid}-${Date.now()}`);
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
      build: { outDir: tmp, emptyOutDir: true },
    });
    if (await mtime(DIST)) await rename(DIST, old);
    await rename(tmp, DIST);
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
    await rm(tmp, { recursive: true, force: true });
    await rm(old, { recursive: true, force: true });
  }
}

/**
 * Builds the dashboard if it is missing or stale. A failed build is logged, not thrown: the API is
 * served either way, and the dashboard's paths say it is not built.
 */
export async function ensureDashboardBuilt(log: Log): Promise<BuildState | 'built' | 'failed'> {
  const state = await dashboardBuildState();
  if (state === 'fresh') return state;
  let locked = false;
  try {
    await acquireLock();
    locked = true;
    // Whoever held the lock may just have built it.
    if ((await dashboardBuildState()) === 'fresh') return 'fresh';
    const started = performance.now();
    log.info({ reason: state, out: DIST }, `the dashboard build is ${state}: building it with Vite`);
    await buildDashboard();
    log.info({ build_ms: Math.round(performance.now() - started) }, 'dashboard built');
    return 'built';
  } catch (err) {
    log.error(
      { err: { message: (err as Error).message } },
      'building the dashboard failed; run npm run build to see why',
    );
    return 'failed';
  } finally {
    if (locked) await rm(LOCK, { force: true });
  }
}
