/**
 * `keyward operator-token create|list|revoke` end to end (spawned as a user runs it), on SQLite and
 * PostgreSQL: the secret is printed once and works on the admin API; a list never shows it; a revoke
 * is final; an unknown id or a bad access is an error on stderr with a non-zero exit.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashSecret, isWellFormedSecret } from '../../src/core/secrets.ts';
import { OperatorAuthenticator } from '../../src/operators/tokens.ts';
import { describeDialects } from '../http/harness.ts';
import { type CliResult, runCli, runCliJson } from '../support/cli.ts';
import type { TestDatabase } from '../support/storages.ts';

// Each spawn pays for tsx's start-up (~0.5 s, more on a busy machine).
const SLOW = 60_000;

interface Created {
  id: string;
  name: string;
  access: string;
  secret: string;
}

interface Listed {
  id: string;
  name: string;
  access: string;
  start: string;
  created_at: string;
  revoked_at: string | null;
}

function expectFailure(r: CliResult, message: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^keyward: /);
  expect(r.stderr).toMatch(message);
}

describeDialects('keyward operator-token', (create) => {
  let db: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await create();
    env = { KEYWARD_DATABASE_URL: db.url };
  });
  afterAll(async () => {
    await db?.drop();
  });

  it(
    'create --json prints {id, name, access, secret} once; the secret is stored only as its hash',
    async () => {
      const out = await runCliJson<Created>(
        ['operator-token', 'create', '--name', 'billing', '--access', 'admin'],
        env,
      );
      expect(Object.keys(out).sort()).toEqual(['access', 'id', 'name', 'secret']);
      expect(out).toMatchObject({ name: 'billing', access: 'admin' });
      expect(out.id).toMatch(/^opt_/);
      expect(isWellFormedSecret(out.secret, ['kwo_'])).toBe(true);
      const row = await db.storage.operatorTokens.get(out.id);
      expect(row?.hash).toBe(hashSecret(out.secret));
      expect(JSON.stringify(row)).not.toContain(out.secret);
      const identity = await new OperatorAuthenticator({ storage: db.storage }).authenticate(out.secret);
      expect(identity).toEqual({ id: out.id, name: 'billing', access: 'admin' });
      // Without --json: the secret once, and the warning to store it.
      const human = await runCli(
        ['operator-token', 'create', '--name', 'backend', '--access', 'verify'],
        env,
      );
      expect(human.code, human.stderr).toBe(0);
      expect(human.stdout).toMatch(/with verify access[\s\S]*kwo_[0-9A-Za-z]{38}[\s\S]*not be shown again/);
    },
    SLOW,
  );

  it(
    'list shows id, name, access, start, created_at and revoked_at, never a secret; revoke is final',
    async () => {
      const made = await runCliJson<Created>(
        ['operator-token', 'create', '--name', 'siem', '--access', 'admin'],
        env,
      );
      const list = await runCli(['operator-token', 'list', '--json'], env);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).not.toContain(made.secret);
      const rows = (JSON.parse(list.stdout) as { data: Listed[] }).data;
      const row = rows.find((r) => r.id === made.id);
      expect(row && Object.keys(row).sort()).toEqual([
        'access',
        'created_at',
        'id',
        'name',
        'revoked_at',
        'start',
      ]);
      expect(row).toMatchObject({ name: 'siem', access: 'admin', revoked_at: null });
      expect(made.secret.startsWith(row!.start)).toBe(true);
      const table = await runCli(['operator-token', 'list'], env);
      expect(table.stdout).toMatch(/ID\s+NAME\s+ACCESS\s+TOKEN\s+CREATED\s+REVOKED/);
      expect(table.stdout).toContain(made.id);
      expect(table.stdout).not.toContain(made.secret);

      const revoked = await runCli(['operator-token', 'revoke', made.id], env);
      expect(revoked.code, revoked.stderr).toBe(0);
      expect(revoked.stdout).toContain(`Revoked operator token ${made.id}.`);
      expect(
        await new OperatorAuthenticator({ storage: db.storage }).authenticate(made.secret),
      ).toBeUndefined();
      const again = await runCliJson<Listed>(['operator-token', 'revoke', made.id], env);
      expect(again.revoked_at).not.toBeNull();
      const after = (await runCliJson<{ data: Listed[] }>(['operator-token', 'list'], env)).data;
      expect(after.find((r) => r.id === made.id)?.revoked_at).toBe(again.revoked_at);
    },
    SLOW,
  );

  it(
    'an unknown id, a secret given as the id, a bad access or a missing name is an error on stderr, exit non-zero',
    async () => {
      expectFailure(
        await runCli(['operator-token', 'revoke', 'opt_doesnotexist'], env),
        /opt_doesnotexist not found/,
      );
      const made = await runCliJson<Created>(
        ['operator-token', 'create', '--name', 'leaky', '--access', 'verify'],
        env,
      );
      const leak = await runCli(['operator-token', 'revoke', made.secret], env);
      expectFailure(leak, /that is a secret, not a token id/);
      expect(leak.stderr).not.toContain(made.secret);
      expectFailure(
        await runCli(['operator-token', 'create', '--name', 'x', '--access', 'root'], env),
        /--access.*'root' is invalid.*admin.*verify/,
      );
      expectFailure(await runCli(['operator-token', 'create', '--access', 'admin'], env), /--name/);
      expectFailure(
        await runCli(['operator-token', 'create', '--name', ' ', '--access', 'admin'], env),
        /--name/,
      );
    },
    SLOW,
  );
});
