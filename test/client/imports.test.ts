/**
 * Importing keyward/client loads no server code. A child process (`node --import tsx`, as the repo
 * runs TypeScript) registers a resolve hook with Node's public module.register that records every
 * module resolved while it imports src/client/index.ts (plus what require() loaded behind an import);
 * the record must hold only Node built-ins, src/client and openapi-fetch.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const ENTRY = join(ROOT, 'src/client/index.ts');
const SERVER_PACKAGES = [
  'fastify',
  '@fastify/',
  'fastify-type-provider-zod',
  'kysely',
  'pg',
  'better-sqlite3',
  'ioredis',
  'pino',
  'prom-client',
  'zod',
  'commander',
  'lru-cache',
  'standardwebhooks',
  'yaml',
];

it('importing src/client/index.ts resolves only node: built-ins, src/client and openapi-fetch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-client-imports-'));
  const out = join(dir, 'resolved.txt');
  try {
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        pathToFileURL(join(FIXTURES, 'record-imports.mjs')).href,
        join(FIXTURES, 'import-client.mjs'),
        out,
        ENTRY,
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 30_000 },
    );
    expect({ status: child.status, stderr: child.stderr }).toMatchObject({ status: 0 });
    const fixtures = pathToFileURL(FIXTURES).href;
    const loaded = [...new Set(readFileSync(out, 'utf8').split('\n').filter(Boolean))].filter(
      (url) => !url.startsWith(fixtures),
    );
    const root = pathToFileURL(ROOT).href;
    const where = (url: string) => (url.startsWith(root) ? url.slice(root.length) : url);
    const files = loaded.filter((url) => !url.startsWith('node:')).map(where);

    // The recorder works: the client's own modules and its one dependency are in the record.
    expect(files).toEqual(expect.arrayContaining(['src/client/index.ts', 'src/client/client.ts']));
    expect(files.some((f) => f.startsWith('node_modules/openapi-fetch/'))).toBe(true);
    // Type-only imports vanish: the generated types are never loaded.
    expect(files).not.toContain('src/client/generated/openapi.ts');

    const serverPackages = files.filter((f) =>
      SERVER_PACKAGES.some((name) =>
        name.endsWith('/') ? f.includes(`node_modules/${name}`) : f.includes(`node_modules/${name}/`),
      ),
    );
    expect(serverPackages, 'server packages loaded by keyward/client').toEqual([]);
    const outsideClient = files.filter((f) => f.startsWith('src/') && !f.startsWith('src/client/'));
    expect(outsideClient, 'modules under src/ outside src/client loaded by keyward/client').toEqual([]);
    const unexpected = files.filter(
      (f) => !f.startsWith('src/client/') && !f.startsWith('node_modules/openapi-fetch/'),
    );
    expect(unexpected, 'anything besides src/client and openapi-fetch').toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
