/**
 * The package as a newcomer gets it: `npm pack` gives a tarball; in an empty folder `npm install
 * ./keyward-<version>.tgz fastify express` installs it, `npx keyward serve` serves the API and the
 * dashboard from that folder, `keyward/client` provisions a workspace and a key, the operator's own
 * Fastify and Express apps protect a route with `keyward/fastify` and `keyward/express` (remote mode),
 * the request shows in the workspace's usage, and the package's types check from TypeScript.
 *
 * Slow by nature (npm compiles better-sqlite3 for the new folder): one install for the whole file,
 * from npm's cache when it has the packages (`--prefer-offline`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/cli.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const ADMIN_TOKEN = 'pack-test-admin-token-0123456789';
const VERIFY_TOKEN = 'pack-test-verify-token-0123456789';
const INSTALL_MS = 300_000;

/** The environment without npm's per-script variables (npm test sets them) or Keyward settings. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(npm_|KEYWARD_|INIT_CWD$|PORT$|HOST$)/i.test(name)),
  );
  return { ...env, ...extra };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function run(command: string, args: string[], cwd: string, env = cleanEnv()): Promise<Run> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

async function ok(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const r = await run(command, args, cwd, env);
  if (r.code !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Starts a long-running command and waits until `ready` answers true. */
async function startProcess(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  ready: () => Promise<boolean>,
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    output += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    output += c;
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${command} ${args.join(' ')} exited ${child.exitCode}: ${output}`);
    if (await ready().catch(() => false)) return { child, output: () => output };
    await new Promise((r) => setTimeout(r, 150));
  }
  child.kill('SIGKILL');
  throw new Error(`${command} ${args.join(' ')} did not become ready: ${output}`);
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

// What the operator writes in their own folder: plain ESM importing the package by name.
const PROVISION = `
import { createAdminClient } from 'keyward/client';
const admin = createAdminClient({ baseUrl: process.env.KEYWARD_URL, token: process.env.ADMIN_TOKEN });
const ws = await admin.workspaces.create({ name: 'Acme', external_id: 'cus_pack' });
const key = await admin.keys.create(ws.id, { name: 'from the tarball', scope: 'read' });
console.log(JSON.stringify({ workspace: ws.id, secret: key.secret }));
`;

const OPERATOR_APPS = `
import Fastify from 'fastify';
import express from 'express';
import keyward from 'keyward/fastify';
import { keyward as keywardExpress, requireScope } from 'keyward/express';
const options = { url: process.env.KEYWARD_URL, token: process.env.VERIFY_TOKEN };

const app = Fastify();
await app.register(keyward, options);
app.get('/contacts', { config: { scope: 'contacts:read' } }, async (request) => ({ workspace: request.keyward.workspaceId, via: 'fastify' }));
app.post('/contacts', { config: { scope: 'contacts:write' } }, async () => ({ created: true }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.FASTIFY_PORT) });

const web = express();
web.use(keywardExpress(options));
web.get('/contacts', requireScope('contacts:read'), (req, res) => res.json({ workspace: req.keyward.workspaceId, via: 'express' }));
web.listen(Number(process.env.EXPRESS_PORT), '127.0.0.1');
`;

const TYPED = `
import { createClient, KeywardApiError, type KeywardClient } from 'keyward/client';
import keyward from 'keyward/fastify';
import { requireScope } from 'keyward/express';
const client: KeywardClient = createClient({ baseUrl: 'http://127.0.0.1:3000', apiKey: 'spk_x' });
const ping: Promise<{ ok: boolean; workspace_id: string }> = client.ping();
// @ts-expect-error a board needs a name
client.boards.create({});
void [ping, keyward, requireScope, KeywardApiError];
`;

describe('the npm package, installed from its tarball into an empty folder', () => {
  let dir = '';
  let files: string[] = [];
  let keywardServer: ChildProcess | undefined;
  let operator: ChildProcess | undefined;
  const port = { keyward: 0, fastify: 0, express: 0 };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyward-pack-'));
    // dist/ and web/dist were built by the test run's global setup; prepack would build them again.
    const packed = JSON.parse(
      await ok('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT),
    ) as [{ filename: string; files: { path: string }[] }];
    files = packed[0].files.map((f) => f.path);
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'acme-api', private: true, type: 'module' }),
    );
    copyFileSync(join(ROOT, 'examples/crm/scopes.json'), join(dir, 'scopes.json'));
    await ok(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        `./${packed[0].filename}`,
        'fastify@5',
        'express@5',
      ],
      dir,
    );
  }, INSTALL_MS);

  afterAll(async () => {
    await stop(operator);
    await stop(keywardServer);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds the compiled server, its types, the bin and the built dashboard, and no sources or tests', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'bin/keyward.js',
        'dist/cli/main.js',
        'dist/client/index.js',
        'dist/client/index.d.ts',
        'dist/middleware/fastify.js',
        'dist/middleware/express.d.ts',
        'web/dist/index.html',
      ]),
    );
    const unwanted = files.filter(
      (f) => /^(src|test|scripts|bench|web\/src|examples)\//.test(f) || /\.test\.|(?<!\.d)\.ts$/.test(f),
    );
    expect(unwanted).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(dir, 'node_modules/keyward/package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'keyward', version: VERSION });
    expect(manifest.private).toBeUndefined();
    // Nothing used only to build or test Keyward is installed with it.
    for (const dev of ['vite', 'tsx', 'vitest', 'typescript'])
      expect(existsSync(join(dir, 'node_modules', dev)), dev).toBe(false);
  });

  it('npx keyward serve runs from the folder: the API, the dashboard, the data in the folder', async () => {
    port.keyward = await freePort();
    const url = `http://127.0.0.1:${port.keyward}`;
    ({ child: keywardServer } = await startProcess(
      'npx',
      ['keyward', 'serve', '--port', String(port.keyward)],
      dir,
      cleanEnv({
        KEYWARD_SCOPES: './scopes.json',
        KEYWARD_ADMIN_TOKEN: ADMIN_TOKEN,
        KEYWARD_SERVICE_TOKEN: VERIFY_TOKEN,
        KEYWARD_LOG_LEVEL: 'warn',
      }),
      async () => (await fetch(`${url}/healthz`)).ok,
    ));
    const ping = await fetch(`${url}/v1/ping`);
    expect(ping.status).toBe(401);
    expect((await ping.json()).error.code).toBe('ERR_UNAUTHENTICATED');

    const page = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const asset = await fetch(new URL(script ?? '', url));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);

    // The folder's scope catalogue (KEYWARD_SCOPES) is the one served: the document's enum follows it.
    const document = await (await fetch(`${url}/openapi.json`)).text();
    expect(document).toContain('contacts:read');
    expect(document).not.toContain('boards:read');
    expect(existsSync(join(dir, 'data/keyward.db'))).toBe(true);
  });

  it("keyward/client provisions a key; the operator's Fastify and Express routes accept it and refuse what it may not do", async () => {
    const env = cleanEnv({
      KEYWARD_URL: `http://127.0.0.1:${port.keyward}`,
      ADMIN_TOKEN,
      VERIFY_TOKEN,
    });
    writeFileSync(join(dir, 'provision.mjs'), PROVISION);
    const { workspace, secret } = JSON.parse(await ok('node', ['provision.mjs'], dir, env)) as {
      workspace: string;
      secret: string;
    };
    expect(secret).toMatch(/^spk_/);

    port.fastify = await freePort();
    port.express = await freePort();
    writeFileSync(join(dir, 'operator.mjs'), OPERATOR_APPS);
    const apps = { fastify: `http://127.0.0.1:${port.fastify}`, express: `http://127.0.0.1:${port.express}` };
    ({ child: operator } = await startProcess(
      'node',
      ['operator.mjs'],
      dir,
      { ...env, FASTIFY_PORT: String(port.fastify), EXPRESS_PORT: String(port.express) },
      async () => {
        const [a, b] = await Promise.all([
          fetch(`${apps.fastify}/contacts`),
          fetch(`${apps.express}/contacts`),
        ]);
        return a.status === 401 && b.status === 401;
      },
    ));

    const auth = { authorization: `Bearer ${secret}` };
    for (const via of ['fastify', 'express'] as const) {
      const res = await fetch(`${apps[via]}/contacts`, { headers: auth });
      expect(res.status, via).toBe(200);
      expect(await res.json()).toEqual({ workspace, via });
      expect(res.headers.get('x-ratelimit-limit'), via).toMatch(/^\d+$/);
    }
    const write = await fetch(`${apps.fastify}/contacts`, { method: 'POST', headers: auth });
    expect(write.status).toBe(403);
    expect((await write.json()).error.code).toBe('ERR_SCOPE_INSUFFICIENT');

    // The requests count in the workspace's usage (written in batches, about a second behind).
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    let requests = 0;
    for (let i = 0; i < 40 && requests < 3; i++) {
      const usage = await fetch(`${env.KEYWARD_URL}/admin/v1/usage?workspace_id=${workspace}`, {
        headers: admin,
      });
      const rows = ((await usage.json()) as { data: { requests: number }[] }).data;
      requests = rows.reduce((sum, row) => sum + row.requests, 0);
      if (requests < 3) await new Promise((r) => setTimeout(r, 250));
    }
    expect(requests).toBeGreaterThanOrEqual(3);
  });

  it("the package's types check from the operator's TypeScript (exports' types)", async () => {
    writeFileSync(join(dir, 'typed.ts'), TYPED);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ['typed.ts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const r = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], dir);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 60_000);
});
