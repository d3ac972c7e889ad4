/** `keyward user create` end to end: spawned with the password on stdin, then signing in over HTTP. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';
import type { CliResult } from './support/cli.ts';
import { dialects, type TestDatabase } from './support/storages.ts';

// Each spawn pays for tsx's start-up (~0.5 s, more on a busy machine).
const SLOW = 60_000;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/keyward.js', import.meta.url));
const PASSWORD = 'piped password 123';

/** Runs `keyward user create …` with `stdin` piped in and only the given Keyward settings in its env. */
async function userCreate(
  args: readonly string[],
  stdin: string,
  env: Record<string, string>,
): Promise<CliResult> {
  const clean = Object.entries(process.env).filter(([name]) => !name.startsWith('KEYWARD_'));
  const child = spawn(process.execPath, [BIN, 'user', 'create', ...args], {
    cwd: ROOT,
    env: { ...Object.fromEntries(clean), ...env },
    stdio: 'pipe',
  });
  child.stdin.on('error', () => {}); // a command refused before reading stdin closes it early
  child.stdin.end(stdin);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** A refusal: non-zero, one `keyward:` message on stderr, nothing on stdout, the password nowhere. */
function expectRefused(r: CliResult, message: RegExp, password = PASSWORD): void {
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^keyward: /);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toContain(password);
}

describe.each(dialects())('keyward user create on $name', ({ create }) => {
  if (!create) {
    it.skip('needs its database service (see the warning above)', () => {});
    return;
  }
  let db: TestDatabase;
  let t: TestApp;
  let env: Record<string, string>;
  let ws: string;

  beforeAll(async () => {
    db = await create();
    env = { KEYWARD_DATABASE_URL: db.url };
    t = await startTestApp({ db });
    ws = await t.workspace();
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const signIn = (email: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/api/session', payload: { email, password } });
  const usersNamed = async (email: string) =>
    (await t.deps.storage.users.list(ws)).filter((u) => u.email === email);

  it(
    'creates a user who can then sign in over HTTP; --json prints the user without any password hash',
    async () => {
      const r = await userCreate(
        ['--workspace', ws, '--email', 'Ada@Acme.test', '--role', 'admin', '--json'],
        `${PASSWORD}\n`,
        env,
      );
      expect(r).toMatchObject({ code: 0, stderr: '' });
      const user = JSON.parse(r.stdout) as Record<string, string>;
      expect(Object.keys(user).sort()).toEqual(['created_at', 'email', 'id', 'name', 'role', 'workspace_id']);
      expect(user).toMatchObject({ workspace_id: ws, email: 'ada@acme.test', role: 'admin' });
      expect(r.stdout).not.toContain(PASSWORD);
      expect(r.stdout).not.toMatch(/scrypt/);

      const res = await signIn('ada@acme.test', PASSWORD);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        data: { user: { id: user.id, role: 'admin' }, workspace: { id: ws } },
      });
      expect((await signIn('ada@acme.test', `${PASSWORD}\n`)).statusCode).toBe(401);

      const audit = await t.deps.storage.audit.list(ws, { targetId: user.id! }, { limit: 10 });
      expect(audit.items).toMatchObject([{ action: 'user.created', actor_type: 'cli' }]);
    },
    SLOW,
  );

  it(
    'reads only the first line of stdin, CRLF included, and prints a plain line without the password',
    async () => {
      const r = await userCreate(
        ['--workspace', ws, '--email', 'bo@acme.test', '--role', 'member'],
        `${PASSWORD}\r\nsecond line\n`,
        env,
      );
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(/^Created member bo@acme\.test \(usr_\w+\) in workspace ws_\w+\.\n$/);
      expect((await signIn('bo@acme.test', PASSWORD)).statusCode).toBe(200);
    },
    SLOW,
  );

  it(
    'a duplicate email, in any case, exits non-zero and leaves the first user alone',
    async () => {
      const args = ['--workspace', ws, '--email', 'dup@acme.test', '--role', 'member'];
      expect((await userCreate(args, `${PASSWORD}\n`, env)).code).toBe(0);
      const again = await userCreate(
        ['--workspace', ws, '--email', 'DUP@acme.test', '--role', 'owner'],
        'another password 456\n',
        env,
      );
      expectRefused(again, /already has an account/, 'another password 456');
      expect(await usersNamed('dup@acme.test')).toMatchObject([{ role: 'member' }]);
      expect((await signIn('dup@acme.test', 'another password 456')).statusCode).toBe(401);
    },
    SLOW,
  );

  it(
    'a bad role, a bad email or an unknown workspace exits non-zero and creates nobody',
    async () => {
      const email = 'nobody@acme.test';
      const [role, badEmail, workspace] = await Promise.all([
        userCreate(['--workspace', ws, '--email', email, '--role', 'superuser'], `${PASSWORD}\n`, env),
        userCreate(['--workspace', ws, '--email', 'not-an-email', '--role', 'admin'], `${PASSWORD}\n`, env),
        userCreate(['--workspace', 'ws_missing', '--email', email, '--role', 'admin'], `${PASSWORD}\n`, env),
      ]);
      expectRefused(role!, /--role.*'superuser' is invalid.*owner, admin, member/);
      expectRefused(badEmail!, /--email.*is invalid/);
      expectRefused(workspace!, /workspace ws_missing not found/);
      expect(await t.deps.storage.users.byEmail(email)).toBeUndefined();
    },
    SLOW,
  );

  it(
    'a short or empty password is refused with a clear message and creates nobody',
    async () => {
      const email = 'short@acme.test';
      const args = ['--workspace', ws, '--email', email, '--role', 'owner'];
      const [short, blankLine, nothing] = await Promise.all(
        ['hunter2\n', '\n', ''].map((stdin) => userCreate(args, stdin, env)),
      );
      expectRefused(short!, /password must have at least 10 characters/, 'hunter2');
      expectRefused(blankLine!, /no password on stdin/);
      expectRefused(nothing!, /no password on stdin/);
      expect(await t.deps.storage.users.byEmail(email)).toBeUndefined();
    },
    SLOW,
  );
});
