/**
 * The OpenAPI document GET /openapi.json serves, built from a Keyward app over an in-memory SQLite
 * database (nothing listens). The environment applies as for `keyward serve` (KEYWARD_PUBLIC_URL gives
 * `servers`, KEYWARD_SCOPES the catalogue), except the database.
 *
 *   node --import tsx scripts/openapi.ts                print it (JSON; --yaml for YAML)
 *   node --import tsx scripts/openapi.ts --out FILE     write it to FILE
 *   node --import tsx scripts/openapi.ts --lint         `npm run lint:openapi`: write it to a temporary
 *                                                       file and lint it with Redocly (redocly.yaml);
 *                                                       exits non-zero on any error
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { loadConfig } from '../src/config/config.ts';
import { buildApp } from '../src/http/app.ts';
import { compose } from '../src/server/compose.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args[outAt + 1] : undefined;
const yaml = args.includes('--yaml');
const lint = args.includes('--lint');

/** The document, as GET /openapi.json answers it. */
async function openapiDocument(): Promise<unknown> {
  const config = loadConfig(process.env, { databaseUrl: 'sqlite::memory:', logLevel: 'silent' });
  const composed = await compose(config, { webhookWorker: false });
  try {
    const app = await buildApp(composed.deps);
    await app.ready();
    const document = app.swagger();
    await app.close();
    return document;
  } finally {
    await composed.close();
  }
}

const document = await openapiDocument();
const text = yaml ? stringify(document) : `${JSON.stringify(document, null, 2)}\n`;
if (lint) {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-openapi-'));
  const file = join(dir, 'openapi.json');
  writeFileSync(file, text);
  const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
  const run = spawnSync(
    process.execPath,
    [cli, 'lint', '--config', join(root, 'redocly.yaml'), '--max-problems', '1000', file],
    {
      stdio: 'inherit',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    },
  );
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = run.status ?? 1;
} else if (out) {
  writeFileSync(out, text);
} else {
  process.stdout.write(text);
}
