/** The `keyward` CLI end to end: spawned as a user runs it, against SQLite and PostgreSQL. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.ts';
import { systemClock } from '../src/core/clock.ts';
import { hashSecret, isWellFormedSecret } from '../src/core/secrets.ts';
import { createApiKey } from '../src/credentials/api-keys.ts';
import type { CredentialContext } from '../src/credentials/context.ts';
import { redisChannels } from '../src/server/redis-names.ts';
import { type CliResult, type RunningCliServer, runCli, runCliJson, startServer } from './support/cli.ts';
import { testRedisUrl } from './support/services.ts';
import { dialects, type TestDatabase } from './support/storages.ts';

// Each spawn pays for tsx's start-up (~0.5 s, more on a busy machine).
const SLOW = 60_000;

interface Key {
  id: string;
  workspace_id: string;
  name: string;
  description: string;
  scopes: string[];
  prefix: string;
  start: string;
  status: string;
  rate_limit: string | null;
  expires_at: string | null;
  secret?: string;
}

/** A usage or runtime error: non-zero, one `keyward:` message on stderr, nothing on stdout. */
function expectFailure(r: CliResult, message: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^keyward: /);
  expect(r.stderr).toMatch(message);
}

describe('keyward CLI arguments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-cli-'));
  const dbFile = join(dir, 'never-created.db');
  const env = { KEYWARD_DATABASE_URL: `sqlite:${dbFile}` };
  const create = (...extra: string[]) =>
    runCli(['key', 'create', '--workspace', 'ws_x', '--name', 'ci', '--scope', 'read', ...extra], env);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'a bad duration exits non-zero with a message on stderr',
    async () => {
      const r = await create('--expires-in', '3x');
      expectFailure(r, /--expires-in.*'3x' is invalid.*like 30d/);
      expect(r.code).toBe(1);
    },
    SLOW,
  );

  it(
    'a bad scope or rate limit is refused with a clear message before the database is touched',
    async () => {
      expectFailure(
        await runCli(['key', 'create', '--workspace', 'ws_x', '--name', 'ci', '--scope', 'admin'], env),
        /--scope.*'admin' is invalid.*read or read:write/,
      );
      expectFailure(await create('--rate-limit', '1000/fortnight'), /--rate-limit.*is invalid.*1000\/h/);
      expect(existsSync(dbFile)).toBe(false);
    },
    SLOW,
  );

  it(
    'a fresh database is created and migrated by the first command, --database-url winning over the env',
    async () => {
      const fresh = join(dir, 'fresh', 'keyward.db');
      const ws = await runCliJson(
        ['workspace', 'create', '--name', 'Fresh', '--database-url', `sqlite:${fresh}`],
        env,
      );
      expect(ws).toMatchObject({ name: 'Fresh', plan: 'professional' });
      expect(existsSync(fresh)).toBe(true);
      expect(existsSync(dbFile)).toBe(false);
    },
    SLOW,
  );
});

describe.each(dialects())('keyward CLI on $name', ({ name, create }) => {
  if (!create) {
    it.skip('needs its database service (see the warning above)', () => {});
    return;
  }
  let db: TestDatabase;
  let env: Record<string, string>;
  let ctx: CredentialContext;
  const servers: RunningCliServer[] = [];
  const redisUrl = testRedisUrl();

  beforeAll(async () => {
    db = await create();
    env = { KEYWARD_DATABASE_URL: db.url };
    const config = loadConfig({}, { databaseUrl: db.url });
    ctx = {
      storage: db.storage,
      clock: systemClock,
      keyPrefix: config.keyPrefix,
      tokenPrefix: config.tokenPrefix,
      plans: config.plans,
      notify: async () => {},
    };
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await db?.drop();
  });

  const workspace = async (plan = 'professional') =>
    (await db.storage.workspaces.create({ name: 'Acme', plan }, Date.now())).id;
  const mint = async (workspaceId: string, keyName = 'seeded') =>
    createApiKey(ctx, { workspaceId, name: keyName, scope: 'read' });

  describe('workspaces', () => {
    it(
      'workspace create --json prints the workspace, on the professional plan by default',
      async () => {
        const ws = await runCliJson(['workspace', 'create', '--name', 'Acme'], env);
        expect(Object.keys(ws).sort()).toEqual(['created_at', 'id', 'name', 'plan']);
        expect(ws).toMatchObject({ name: 'Acme', plan: 'professional' });
        expect(ws.id).toMatch(/^ws_/);
        expect(await db.storage.workspaces.get(ws.id as string)).toMatchObject({
          name: 'Acme',
          plan: 'professional',
        });
      },
      SLOW,
    );

    it(
      'an unknown plan is refused, listing the plans there are',
      async () => {
        const r = await runCli(['workspace', 'create', '--name', 'Acme', '--plan', 'gold'], env);
        expectFailure(r, /unknown plan "gold".*free, professional, enterprise/);
        expect(r.code).toBe(1);
      },
      SLOW,
    );
  });

  describe('key create', () => {
    it(
      'key create --json prints the secret once and stores only its hash',
      async () => {
        const ws = await workspace();
        const key = await runCliJson<Key>(
          [
            'key',
            'create',
            '--workspace',
            ws,
            '--name',
            'ci',
            '--scope',
            'read:write',
            '--description',
            'deploys',
          ],
          env,
        );
        const secret = key.secret!;
        expect(isWellFormedSecret(secret, ['spk_'])).toBe(true);
        expect(key).toMatchObject({
          workspace_id: ws,
          name: 'ci',
          description: 'deploys',
          scopes: ['read:write'],
        });
        expect(key).toMatchObject({ status: 'active', prefix: 'spk_', start: secret.slice(4, 12) });

        const secrets = await db.storage.credentials.secretsOf(key.id);
        expect(secrets.map((s) => s.hash)).toEqual([hashSecret(secret)]);
        const stored = JSON.stringify([await db.storage.credentials.getById(key.id), secrets]);
        expect(stored).not.toContain(secret);
        expect(stored).not.toContain(secret.slice(4));
      },
      SLOW,
    );

    it(
      'key create honours --expires-in and --rate-limit, and says in plain text to store the secret now',
      async () => {
        const ws = await workspace();
        const before = Date.now();
        const r = await runCli(
          [
            'key',
            'create',
            '--workspace',
            ws,
            '--name',
            'ci',
            '--scope',
            'read',
            '--expires-in',
            '30d',
            '--rate-limit',
            '5/m',
          ],
          env,
        );
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/store it now, it will not be shown again/i);
        const secret = /\bspk_[0-9A-Za-z]{38}\b/.exec(r.stdout)?.[0];
        expect(secret).toBeDefined();
        const lookup = await db.storage.credentials.findBySecretHash(hashSecret(secret!));
        expect(lookup?.credential.rate_limit).toBe('5/m');
        const expiresIn = lookup!.credential.expires_at! - before;
        expect(expiresIn).toBeGreaterThan(30 * 86_400_000 - 60_000);
        expect(expiresIn).toBeLessThanOrEqual(30 * 86_400_000 + 60_000);
      },
      SLOW,
    );

    it(
      'an unknown workspace is an error for key create and key list',
      async () => {
        const created = await runCli(
          ['key', 'create', '--workspace', 'ws_missing', '--name', 'ci', '--scope', 'read'],
          env,
        );
        expectFailure(created, /workspace ws_missing not found/);
        expect(created.code).toBe(1);
        const listed = await runCli(['key', 'list', '--workspace', 'ws_missing', '--json'], env);
        expectFailure(listed, /workspace ws_missing not found/);
      },
      SLOW,
    );
  });

  describe('key list and revoke', () => {
    it(
      'key list never prints secrets',
      async () => {
        const ws = await workspace();
        const a = await mint(ws, 'first');
        const b = await mint(ws, 'second');
        const json = await runCli(['key', 'list', '--workspace', ws, '--json'], env);
        expect(json.code).toBe(0);
        const listed = JSON.parse(json.stdout) as { data: Key[] };
        expect(listed.data.map((k) => k.id).sort()).toEqual([a.credential.id, b.credential.id].sort());
        expect(listed.data.every((k) => !('secret' in k))).toBe(true);

        const human = await runCli(['key', 'list', '--workspace', ws], env);
        expect(human.code).toBe(0);
        expect(human.stdout).toMatch(/^ID\s+NAME\s+SCOPES\s+STATUS/);
        expect(human.stdout).toContain(a.credential.id);
        expect(human.stdout).toContain(`spk_${a.secret.slice(4, 12)}…`);
        for (const out of [json.stdout, human.stdout]) {
          for (const { secret } of [a, b]) {
            expect(out).not.toContain(secret);
            expect(out).not.toContain(hashSecret(secret));
          }
        }
      },
      SLOW,
    );

    it(
      'key revoke marks the key revoked, and revoking it again is harmless',
      async () => {
        const { credential } = await mint(await workspace());
        const revoked = await runCliJson<Key>(['key', 'revoke', credential.id], env);
        expect(revoked).toMatchObject({ id: credential.id, status: 'revoked' });
        expect((await db.storage.credentials.getById(credential.id))?.revoked_at).not.toBeNull();
        const again = await runCli(['key', 'revoke', credential.id], env);
        expect(again).toMatchObject({ code: 0, stderr: '' });
        expect(again.stdout).toMatch(/already revoked/);
      },
      SLOW,
    );

    it(
      'an unknown key id exits 1 with a message on stderr',
      async () => {
        const r = await runCli(['key', 'revoke', 'key_missing'], env);
        expectFailure(r, /API key key_missing not found/);
        expect(r.code).toBe(1);
      },
      SLOW,
    );
  });

  describe('propagation', () => {
    it(
      'key revoke makes the key fail within 1 second on a running server',
      async () => {
        // No Redis: the database invalidation log alone must carry the CLI's change to the server.
        const server = await startServer(env);
        servers.push(server);
        const ws = await workspace();
        const key = await runCliJson<Key>(
          ['key', 'create', '--workspace', ws, '--name', 'ci', '--scope', 'read'],
          env,
        );
        const ping = () =>
          fetch(`${server.url}/v1/ping`, { headers: { authorization: `Bearer ${key.secret}` } });
        expect((await ping()).status).toBe(200);

        await runCliJson(['key', 'revoke', key.id], env);
        const revokedAt = Date.now();
        let res = await ping();
        while (res.status === 200 && Date.now() - revokedAt < 3_000) {
          await new Promise((r) => setTimeout(r, 20));
          res = await ping();
        }
        const elapsed = Date.now() - revokedAt;
        expect(res.status).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ERR_KEY_REVOKED');
        expect(elapsed).toBeLessThan(1_000);
      },
      SLOW,
    );

    it.skipIf(!redisUrl)(
      'key revoke publishes the invalidation on Redis when KEYWARD_REDIS_URL is set',
      async () => {
        const { credential } = await mint(await workspace());
        const subscriber = new Redis(redisUrl!);
        try {
          const received: unknown[] = [];
          // The channel `serve` subscribes to (compose.ts takes it from the same place).
          await subscriber.subscribe(redisChannels().invalidations);
          subscriber.on('message', (_channel, text: string) => received.push(JSON.parse(text)));
          await runCliJson(['key', 'revoke', credential.id], { ...env, KEYWARD_REDIS_URL: redisUrl });
          await expect
            .poll(() => received, { timeout: 2_000 })
            .toContainEqual({
              workspaceId: credential.workspace_id,
              credentialId: credential.id,
            });
        } finally {
          subscriber.disconnect();
        }
      },
      SLOW,
    );

    // Only SQLite keeps the database in one file to scan; PostgreSQL is scanned in test/http/secrets.
    if (name === 'sqlite') {
      it(
        'the secret never appears in the SQLite file',
        async () => {
          const ws = await workspace();
          const key = await runCliJson<Key>(
            ['key', 'create', '--workspace', ws, '--name', 'ci', '--scope', 'read'],
            env,
          );
          const file = db.url.slice('sqlite:'.length);
          const bytes = [file, `${file}-wal`, `${file}-shm`]
            .filter((f) => existsSync(f))
            .map((f) => readFileSync(f).toString('latin1'))
            .join('');
          // The hash is there (so this reads the right data), the secret is not, nor its random part.
          expect(bytes).toContain(hashSecret(key.secret!));
          expect(bytes).not.toContain(key.secret!);
          expect(bytes).not.toContain(key.secret!.slice(4));
        },
        SLOW,
      );
    }
  });
});
