/**
 * Dashboard sessions: first-run setup, sign in and out, the cookie's attributes, idle and absolute
 * expiry, sign-in throttling per account and per IP, and CSRF on every state-changing request.
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ABSOLUTE_TIMEOUT_MS, DEFAULT_SIGN_IN_LIMITS, IDLE_TIMEOUT_MS } from '../../src/accounts/sessions.ts';
import { createUser } from '../../src/accounts/users.ts';
import { CLI_ACTOR } from '../../src/audit/record.ts';
import { deleteRedisKeys, expectData, expectError } from '../http/harness.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { auditCount, isWrite, MANAGEMENT_ENDPOINTS, request, targetMaker } from '../support/management.ts';
import { testRedisUrl, uniqueName } from '../support/services.ts';
import { PASSWORD, type Session, sessionFrom } from '../support/session.ts';
import { dialects, type TestDatabase } from '../support/storages.ts';

const HOUR = 3_600_000;
const WINDOW = DEFAULT_SIGN_IN_LIMITS.perAccount.windowMs;

interface SignInOptions {
  ip?: string;
  headers?: Record<string, string>;
}

/** The Set-Cookie header of a response (the session cookie is the only one Keyward sets). */
function setCookie(res: LightMyRequestResponse): string {
  const header = res.headers['set-cookie'];
  return String(Array.isArray(header) ? header[0] : header);
}

describe.each(dialects())('dashboard sessions on $name', ({ name, create }) => {
  if (!create) {
    it.skip('needs its database service (see the warning above)', () => {});
    return;
  }
  // PostgreSQL runs with the Redis limiter when there is one, as a multi-instance install would.
  const redisUrl = name === 'postgres' ? testRedisUrl() : undefined;
  const redisPrefix = `${uniqueName('kwtest')}:`;
  let db: TestDatabase;
  let t: TestApp;
  let ownerEmail: string;
  /** Every response body seen, checked at the end for password hashes. */
  const bodies: string[] = [];

  beforeAll(async () => {
    db = await create();
    t = await startTestApp({ db, redisUrl, redisPrefix });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    if (redisUrl) await deleteRedisKeys(redisUrl, redisPrefix);
  });

  const inject = async (options: InjectOptions) => {
    const res = await t.app.inject(options);
    bodies.push(res.body);
    return res;
  };
  const postSession = (email: string, password: string, options: SignInOptions = {}) =>
    inject({
      method: 'POST',
      url: '/api/session',
      payload: { email, password },
      remoteAddress: options.ip,
      headers: options.headers,
    });
  const whoami = (cookie: string) => inject({ method: 'GET', url: '/api/session', headers: { cookie } });
  const cookieOf = (res: LightMyRequestResponse) => setCookie(res).split(';')[0]!;

  it('first-run setup works exactly once, even when several race; GET /api/setup says whether it is needed', async () => {
    expect(expectData(await inject({ url: '/api/setup' }))).toEqual({ needed: true });
    const setup = (email: string) =>
      inject({
        method: 'POST',
        url: '/api/setup',
        payload: { workspace_name: 'Acme', email, password: PASSWORD },
      });
    const raced = await Promise.all(['first', 'second', 'third'].map((n) => setup(`${n}@acme.test`)));
    expect(raced.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
    const won = raced.find((r) => r.statusCode === 201)!;
    for (const lost of raced.filter((r) => r !== won)) expectError(lost, 409, 'ERR_CONFLICT');
    expect(await t.deps.storage.workspaces.list()).toHaveLength(1);

    const data = expectData<{ user: { email: string; role: string }; csrf_token: string }>(won, 201);
    expect(data.user.role).toBe('owner');
    ownerEmail = data.user.email;
    // Setup signs the owner in.
    expect(expectData<{ user: { email: string } }>(await whoami(cookieOf(won))).user.email).toBe(ownerEmail);

    expectError(await setup('late@acme.test'), 409, 'ERR_CONFLICT');
    expect(expectData(await inject({ url: '/api/setup' }))).toEqual({ needed: false });
  });

  describe('sign in and out', () => {
    it('sign-in sets an HttpOnly, SameSite=Lax, Path=/ cookie, not Secure over plain http', async () => {
      const res = await postSession(ownerEmail, PASSWORD);
      expect(res.statusCode).toBe(200);
      const cookie = setCookie(res);
      expect(cookie).toMatch(/^kw_session=[\w-]{20,};/);
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Lax/i);
      expect(cookie).toMatch(/;\s*Path=\/(;|$)/);
      expect(cookie).not.toMatch(/;\s*Secure/i);
      // A client cannot make it Secure (or not) by claiming a scheme unless the proxy is trusted.
      const spoofed = await postSession(ownerEmail, PASSWORD, { headers: { 'x-forwarded-proto': 'https' } });
      expect(setCookie(spoofed)).not.toMatch(/;\s*Secure/i);
    });

    it('behind a trusted proxy that says https, the cookie is Secure', async () => {
      const proxied = await startTestApp({ db, config: { trustProxy: true }, clock: t.clock });
      try {
        const res = await proxied.app.inject({
          method: 'POST',
          url: '/api/session',
          payload: { email: ownerEmail, password: PASSWORD },
          headers: { 'x-forwarded-proto': 'https' },
        });
        expect(res.statusCode).toBe(200);
        expect(setCookie(res)).toMatch(/;\s*Secure/i);
        expect(setCookie(res)).toMatch(/;\s*HttpOnly/i);
      } finally {
        await proxied.close();
      }
    });

    it('a wrong password and an unknown email are both 401 with the same message', async () => {
      const wrong = await postSession(ownerEmail, 'not the password at all', { ip: '10.1.0.1' });
      const unknown = await postSession('nobody@acme.test', PASSWORD, { ip: '10.1.0.1' });
      expect(expectError(wrong, 401, 'ERR_UNAUTHENTICATED')).toEqual(
        expectError(unknown, 401, 'ERR_UNAUTHENTICATED'),
      );
      expect(wrong.headers['set-cookie']).toBeUndefined();
      expect(unknown.headers['set-cookie']).toBeUndefined();
    });

    it('GET /api/session returns the user, the workspace and the CSRF token; no cookie or a bad one is 401', async () => {
      const res = await postSession(ownerEmail.toUpperCase(), PASSWORD);
      const signedIn = expectData<{ csrf_token: string }>(res);
      const me = expectData<Record<string, Record<string, unknown>>>(await whoami(cookieOf(res)));
      expect(Object.keys(me).sort()).toEqual([
        'csrf_token',
        'expires_at',
        'memberships',
        'return_url',
        'user',
        'workspace',
      ]);
      expect(Object.keys(me.user!).sort()).toEqual([
        'created_at',
        'email',
        'id',
        'name',
        'role',
        'workspace_id',
      ]);
      expect(me.user).toMatchObject({ email: ownerEmail, role: 'owner', workspace_id: me.workspace!.id });
      expect(me.workspace).toMatchObject({ name: 'Acme', plan: 'professional' });
      expect(me.csrf_token).toBe(signedIn.csrf_token);
      expect(me.expires_at).toBe(new Date(t.clock.now() + ABSOLUTE_TIMEOUT_MS).toISOString());

      expectError(await inject({ url: '/api/session' }), 401, 'ERR_UNAUTHENTICATED');
      expectError(await whoami('kw_session=forged'), 401, 'ERR_UNAUTHENTICATED');
    });

    it('DELETE /api/session ends the session on the server: the old cookie is 401 afterwards', async () => {
      const s = sessionFrom(t, await postSession(ownerEmail, PASSWORD));
      expectError(await s.call('DELETE', '/api/session', undefined, { csrf: false }), 403, 'ERR_FORBIDDEN');
      expectData(await whoami(s.cookie));
      const out = await s.call('DELETE', '/api/session');
      expect(expectData(out)).toEqual({ signed_out: true });
      expect(setCookie(out)).toMatch(/^kw_session=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/i);
      expectError(await whoami(s.cookie), 401, 'ERR_UNAUTHENTICATED');
      expectError(
        await s.call('POST', '/api/keys', { name: 'x', scope: 'read' }),
        401,
        'ERR_UNAUTHENTICATED',
      );
    });

    it('a cross-site form cannot sign in: the body must be JSON', async () => {
      for (const type of [
        'application/x-www-form-urlencoded',
        'text/plain',
        'multipart/form-data; boundary=x',
      ]) {
        const res = await inject({
          method: 'POST',
          url: '/api/session',
          headers: { 'content-type': type },
          payload: `email=${ownerEmail}&password=${PASSWORD}`,
        });
        expectError(res, 415, 'ERR_UNSUPPORTED_MEDIA_TYPE');
        expect(res.headers['set-cookie']).toBeUndefined();
      }
    });
  });

  describe('expiry', () => {
    it(`a session unused for ${IDLE_TIMEOUT_MS / HOUR} h ends; activity keeps it alive until then`, async () => {
      const kept = cookieOf(await postSession(ownerEmail, PASSWORD));
      const idle = cookieOf(await postSession(ownerEmail, PASSWORD));
      t.clock.advance(IDLE_TIMEOUT_MS - 60_000);
      expectData(await whoami(kept));
      t.clock.advance(IDLE_TIMEOUT_MS - 60_000);
      expectData(await whoami(kept));
      expectError(await whoami(idle), 401, 'ERR_UNAUTHENTICATED');
      t.clock.advance(IDLE_TIMEOUT_MS + 1);
      expectError(await whoami(kept), 401, 'ERR_UNAUTHENTICATED');
    });

    it(`a session ends ${ABSOLUTE_TIMEOUT_MS / 86_400_000} days after sign-in even when used all along`, async () => {
      const res = await postSession(ownerEmail, PASSWORD);
      const signedInAt = t.clock.now();
      expect(setCookie(res)).toContain(`Expires=${new Date(signedInAt + ABSOLUTE_TIMEOUT_MS).toUTCString()}`);
      const cookie = cookieOf(res);
      const step = IDLE_TIMEOUT_MS - HOUR;
      while (t.clock.now() + step < signedInAt + ABSOLUTE_TIMEOUT_MS) {
        t.clock.advance(step);
        expectData(await whoami(cookie));
      }
      t.clock.set(signedInAt + ABSOLUTE_TIMEOUT_MS);
      expectError(await whoami(cookie), 401, 'ERR_UNAUTHENTICATED');
    });
  });

  describe('sign-in throttling', () => {
    const { perAccount, perIp } = DEFAULT_SIGN_IN_LIMITS;
    /** A member of the first workspace, with the test password. */
    const memberNamed = async (email: string) => {
      const ws = (await t.deps.storage.workspaces.list())[0]!.id;
      await createUser(
        t.deps.storage,
        { workspaceId: ws, email, password: PASSWORD, role: 'member' },
        CLI_ACTOR,
        t.clock.now(),
      );
    };
    const failures = (count: number, email: (i: number) => string, ip: string) =>
      Promise.all(
        Array.from({ length: count }, async (_, i) =>
          expectError(await postSession(email(i), 'wrong password here', { ip }), 401, 'ERR_UNAUTHENTICATED'),
        ),
      );

    it(`${perAccount.limit} failures on one account lock it (429 "account"), even with the right password, until the window ends`, async () => {
      const email = 'locked@acme.test';
      await memberNamed(email);
      await failures(perAccount.limit, () => email, '10.2.0.1');
      for (const [ip, password] of [
        ['10.2.0.2', PASSWORD],
        ['10.2.0.3', 'wrong password here'],
      ] as const) {
        const locked = await postSession(email.toUpperCase(), password, { ip });
        const error = expectError(locked, 429, 'ERR_RATE_LIMITED');
        expect(error.details).toMatchObject({ limit: 'account' });
        expect(error.details?.retry_after).toBeGreaterThan(0);
        expect(locked.headers['retry-after']).toBe(String(error.details?.retry_after));
        expect(locked.headers['set-cookie']).toBeUndefined();
      }
      // Other accounts are unaffected.
      expectData(await postSession(ownerEmail, PASSWORD, { ip: '10.2.0.2' }));
      t.clock.advance(WINDOW);
      expectData(await postSession(email, PASSWORD, { ip: '10.2.0.2' }));
    });

    it(`guesses sent in parallel: ${perAccount.limit} are checked, the rest refused without a check; successes do not count`, async () => {
      const email = 'parallel@acme.test';
      await memberNamed(email);
      // Signing in more often than the budget is fine: only failures count.
      for (let i = 0; i < perAccount.limit + 2; i++) {
        expectData(await postSession(email, PASSWORD, { ip: `10.4.0.${i + 1}` }));
      }
      const guesses = await Promise.all(
        Array.from({ length: perAccount.limit * 3 }, (_, i) =>
          postSession(email, `wrong guess ${i}`, { ip: `10.5.${i}.1` }),
        ),
      );
      const codes = guesses.map((r) => r.statusCode);
      expect(codes.filter((c) => c === 401)).toHaveLength(perAccount.limit);
      expect(codes.filter((c) => c === 429)).toHaveLength(perAccount.limit * 2);
      expectError(await postSession(email, PASSWORD, { ip: '10.4.0.99' }), 429, 'ERR_RATE_LIMITED');
      t.clock.advance(WINDOW);
      expectData(await postSession(email, PASSWORD, { ip: '10.4.0.99' }));
    });

    it(`${perIp.limit} failures from one IP across different emails block that IP (429 "ip") until the window ends`, async () => {
      const ip = '10.3.0.1';
      await failures(perIp.limit, (i) => `guess-${i}@acme.test`, ip);
      for (const email of ['guess-next@acme.test', ownerEmail]) {
        const error = expectError(await postSession(email, PASSWORD, { ip }), 429, 'ERR_RATE_LIMITED');
        expect(error.details).toMatchObject({ limit: 'ip' });
        expect(Number(error.details?.retry_after)).toBeLessThanOrEqual(WINDOW / 1000);
      }
      expectData(await postSession(ownerEmail, PASSWORD, { ip: '10.3.0.2' }));
      t.clock.advance(WINDOW);
      expectData(await postSession(ownerEmail, PASSWORD, { ip }));
    });
  });

  describe('CSRF', () => {
    let owner: Session;
    let other: Session;
    let make: Awaited<ReturnType<typeof targetMaker>>;
    beforeAll(async () => {
      owner = sessionFrom(t, await postSession(ownerEmail, PASSWORD));
      other = sessionFrom(t, await postSession(ownerEmail, PASSWORD));
      make = await targetMaker(t);
    });

    const writes = MANAGEMENT_ENDPOINTS.filter(isWrite).map((e) => [`${e.method} ${e.path}`, e] as const);

    it.each(writes)('%s is 403 without the token or with a wrong one, and works with it', async (_, e) => {
      const id = e.target ? await make(e.target, owner.workspaceId) : undefined;
      const { url, body } = request(e, id);
      const audited = await auditCount(t, owner.workspaceId);
      const send = (csrf?: string) =>
        inject({
          method: e.method,
          url,
          headers: {
            cookie: owner.cookie,
            ...(csrf === undefined ? {} : { 'x-csrf-token': csrf }),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          payload: body === undefined ? undefined : JSON.stringify(body),
        });
      const oneOff = owner.csrf.slice(0, -1) + (owner.csrf.endsWith('A') ? 'B' : 'A');
      for (const wrong of [undefined, '', 'x', oneOff, other.csrf])
        expectError(await send(wrong), 403, 'ERR_FORBIDDEN');
      expect(await auditCount(t, owner.workspaceId)).toBe(audited);
      const ok = await send(owner.csrf);
      expect({ status: ok.statusCode, body: ok.body }).toMatchObject({ status: e.status ?? 200 });
    });

    it('reads need no token', async () => {
      for (const e of MANAGEMENT_ENDPOINTS.filter((x) => !isWrite(x) && !x.target)) {
        expect((await owner.call('GET', e.path, undefined, { csrf: false })).statusCode).toBe(200);
      }
    });
  });

  it('no response ever carries a password hash', async () => {
    const s = sessionFrom(t, await postSession(ownerEmail, PASSWORD));
    const created = await s.call('POST', '/api/users', {
      email: 'fresh@acme.test',
      password: PASSWORD,
      role: 'member',
    });
    const id = expectData<{ id: string }>(created, 201).id;
    const more = [
      created,
      await s.call('PATCH', `/api/users/${id}`, { role: 'admin' }),
      await s.call('GET', '/api/users'),
    ];
    more.push(await s.call('GET', '/api/audit-log?limit=100'));
    const hashes = (await t.deps.storage.users.list(s.workspaceId)).map((u) => u.password_hash);
    expect(hashes.length).toBeGreaterThan(1);
    for (const body of [...bodies, ...more.map((r) => r.body)]) {
      expect(body).not.toMatch(/scrypt\$|password_hash/);
      expect(body).not.toContain(PASSWORD);
      for (const hash of hashes) expect(body).not.toContain(hash!.split('$').pop());
    }
  });
});
