/**
 * What the browser suite and the screenshot script share: Debian's Chromium through playwright-core,
 * a real `keyward serve` on a temporary SQLite database, and a freshly built dashboard.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { ensureDashboardBuilt } from '../../scripts/build.ts';
import { type RunningCliServer, startServer } from '../support/cli.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/browser/', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/keyward.js');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export const chromiumInstalled = () => existsSync(CHROMIUM);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface Keyward extends RunningCliServer {
  databaseUrl: string;
}

/** Waits (10 s at most) until a locator is visible. */
export async function expectVisible(locator: {
  waitFor(options: { state: 'visible'; timeout?: number }): Promise<void>;
}) {
  await locator.waitFor({ state: 'visible', timeout: 10_000 });
}

/**
 * Builds the dashboard if needed, then starts `keyward serve` on a new, empty database, with `env`
 * added to its environment.
 */
export async function startKeyward(env: Record<string, string> = {}): Promise<Keyward> {
  const failed =
    (await ensureDashboardBuilt({ info: () => {}, error: (o, m) => console.error(m, o) })) === 'failed';
  if (failed) throw new Error('the dashboard did not build (npm run build shows why)');
  const dir = await mkdtemp(join(tmpdir(), 'keyward-browser-'));
  const databaseUrl = `sqlite:${join(dir, 'keyward.db')}`;
  const server = await startServer({ ...env, KEYWARD_DATABASE_URL: databaseUrl });
  return {
    ...server,
    databaseUrl,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `keyward user create …` with the password on stdin, as an operator would run it. */
export async function createUserWithCli(
  databaseUrl: string,
  args: { workspace: string; email: string; role: string; password: string },
) {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'user',
      'create',
      '--workspace',
      args.workspace,
      '--email',
      args.email,
      '--role',
      args.role,
      '--database-url',
      databaseUrl,
    ],
    { cwd: ROOT, env: { ...process.env, KEYWARD_LOG_LEVEL: 'silent' }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  child.stdin.end(`${args.password}\n`);
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`keyward user create exited ${code}: ${stderr}`);
}

/** Saves the page at desktop and phone width: `<name>-desktop.png`, `<name>-phone.png`. */
export async function screenshots(page: Page, name: string): Promise<string[]> {
  await mkdir(ARTIFACTS, { recursive: true });
  const size = page.viewportSize() ?? DESKTOP;
  const paths: string[] = [];
  for (const [label, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(150);
    const path = join(ARTIFACTS, `${name}-${label}.png`);
    await page.screenshot({ path, fullPage: true });
    paths.push(path);
  }
  await page.setViewportSize(size);
  return paths;
}

/** `GET /v1/ping` with a secret, as an integration would call it. */
export async function ping(url: string, secret: string): Promise<number> {
  const res = await fetch(`${url}/v1/ping`, { headers: { authorization: `Bearer ${secret}` } });
  await res.arrayBuffer();
  return res.status;
}
