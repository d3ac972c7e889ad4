/** Bearer authentication: where a key may travel, which keys open the door, and how guessing is slowed. */
import { describe, expect, it } from 'vitest';
import { CredentialCache } from '../../src/cache/credential-cache.ts';
import { generateSecret } from '../../src/core/secrets.ts';
import { deleteCredential, expireCredential, revokeCredential } from '../../src/credentials/lifecycle.ts';
import { CredentialVerifier } from '../../src/credentials/verify.ts';
import { buildApp } from '../../src/http/app.ts';
import { MemoryRateLimiter } from '../../src/limits/index.ts';
import type { TestApp } from '../support/app.ts';
import {
  describeDialects,
  expectData,
  expectError,
  MINUTE,
  send,
  unreachableStorage,
  useApp,
} from './harness.ts';

/** Same length, alphabet and prefix, one checksum character changed. */
const withBadChecksum = (secret: string) => secret.slice(0, -1) + (secret.endsWith('0') ? '1' : '0');

const ping = (t: TestApp, secret: string | undefined, ip?: string) =>
  send(t, { method: 'GET', url: '/v1/ping', secret, ...(ip ? { ip } : {}) });

function expectUseTheHeader(res: Parameters<typeof expectError>[0]) {
  const error = expectError(res, 401, 'ERR_UNAUTHENTICATED');
  expect(error.message).toMatch(/Authorization header/);
}

describeDialects('bearer authentication', (create) => {
  describe('transport', () => {
    const t = useApp(create);

    it('a key in the Authorization header opens the API, whatever the case of "Bearer"', async () => {
      const ws = await t().workspace();
      const { secret } = await t().key(ws, 'read');
      expectData(await ping(t(), secret));
      expectData(
        await send(t(), { method: 'GET', url: '/v1/ping', headers: { authorization: `bearer ${secret}` } }),
      );
    });

    it.each(['api_key', 'token', 'key'])(
      'a key in the ?%s= query parameter is refused, pointing to the header',
      async (param) => {
        const ws = await t().workspace();
        const { secret } = await t().key(ws, 'read');
        const res = await send(t(), { method: 'GET', url: `/v1/ping?${param}=${secret}` });
        expectUseTheHeader(res);
        // A credential was presented: the answer reports the client's failure budget.
        expect(res.headers['x-ratelimit-limit']).toBeDefined();
        expect(res.headers['x-ratelimit-remaining']).toBeDefined();
        expect(res.headers['x-ratelimit-reset']).toBeDefined();
      },
    );

    it('a key in the query string is refused even beside a valid header (it has leaked into URLs)', async () => {
      const ws = await t().workspace();
      const { secret } = await t().key(ws, 'read');
      expectUseTheHeader(await send(t(), { method: 'GET', url: `/v1/boards?api_key=${secret}`, secret }));
    });

    it('a key in a cookie is refused, pointing to the header', async () => {
      const ws = await t().workspace();
      const { secret } = await t().key(ws, 'read');
      const res = await send(t(), {
        method: 'GET',
        url: '/v1/ping',
        headers: { cookie: `theme=dark; api_key=${secret}` },
      });
      expectUseTheHeader(res);
    });

    it('an unrelated cookie does not disturb a valid header', async () => {
      const ws = await t().workspace();
      const { secret } = await t().key(ws, 'read');
      expectData(
        await send(t(), { method: 'GET', url: '/v1/ping', secret, headers: { cookie: 'theme=dark' } }),
      );
    });

    it('a key in a JSON body without a header is refused, pointing to the header', async () => {
      const ws = await t().workspace();
      const { secret } = await t().key(ws, 'read:write');
      const res = await send(t(), {
        method: 'POST',
        url: '/v1/boards',
        body: { name: 'Ideas', api_key: secret },
      });
      expectUseTheHeader(res);
      // Nothing was created by the refused request.
      expect(expectData<unknown[]>(await send(t(), { method: 'GET', url: '/v1/boards', secret }))).toEqual(
        [],
      );
    });

    it('a request without any credential is 401 and says how to send one', async () => {
      expectUseTheHeader(await ping(t(), undefined));
      expectUseTheHeader(await send(t(), { method: 'POST', url: '/v1/boards', body: { name: 'Ideas' } }));
    });

    it('every /v1 endpoint in the OpenAPI document refuses a request without a credential', async () => {
      const doc = (await t().app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
        paths: Record<string, Record<string, unknown>>;
      };
      const operations = Object.entries(doc.paths)
        .filter(([path]) => path.startsWith('/v1/') && path !== '/v1/keys/verify')
        .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method, path })));
      expect(operations.length).toBeGreaterThanOrEqual(13);
      for (const { method, path } of operations) {
        const url = path.replace(/\{[^}]+\}/g, 'brd_0000000000000000000000');
        const res = await send(t(), { method: method.toUpperCase() as 'GET', url });
        expect({ method, path, status: res.statusCode }).toEqual({ method, path, status: 401 });
        expectError(res, 401, 'ERR_UNAUTHENTICATED');
        // The HEAD route Fastify adds for every GET gets the bearer hook too (hooks are per route).
        if (method === 'get') {
          const head = await t().app.inject({ method: 'HEAD', url });
          expect({ path, head: head.statusCode }).toEqual({ path, head: 401 });
        }
      }
    });

    it.each([
      ['another scheme', (s: string) => `Basic ${Buffer.from(`user:${s}`).toString('base64')}`],
      ['a scheme without a token', () => 'Bearer'],
      ['a token without a scheme', (s: string) => s],
      ['two tokens', (s: string) => `Bearer ${s} ${s}`],
      ['the "Token" scheme', (s: string) => `Token ${s}`],
    ])('a malformed Authorization header (%s) is 401 and points to the right form', async (_, header) => {
      const ws = await t().workspace();
      const { secret } = await t().key(ws, 'read');
      expectUseTheHeader(
        await send(t(), { method: 'GET', url: '/v1/ping', headers: { authorization: header(secret) } }),
      );
    });
  });

  describe('which keys are accepted', () => {
    const t = useApp(create);

    it('GET /v1/ping answers with the workspace and the credential that called', async () => {
      const ws = await t().workspace();
      const { id, secret } = await t().key(ws, 'read', { name: 'CI key' });
      const res = await ping(t(), secret);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        data: {
          ok: true,
          workspace_id: ws,
          credential: { id, kind: 'api_key', name: 'CI key', scopes: ['read'] },
        },
      });
    });

    it('a key with a bad checksum is 401, like an unknown key', async () => {
      const ws = await t().workspace();
      const { secret } = await t().key(ws, 'read');
      expectError(await ping(t(), withBadChecksum(secret)), 401, 'ERR_UNAUTHENTICATED');
      expectError(await ping(t(), generateSecret('spk_')), 401, 'ERR_UNAUTHENTICATED');
      expectError(await ping(t(), `spk_${'a'.repeat(10)}`), 401, 'ERR_UNAUTHENTICATED');
      expectError(await ping(t(), generateSecret('xyz_')), 401, 'ERR_UNAUTHENTICATED');
    });

    it('a key with a bad checksum is refused without a database lookup', async () => {
      // Verification over a database that refuses connections: only a lookup can fail with 503.
      const deps = t().deps;
      const dead = unreachableStorage();
      const verifier = new CredentialVerifier({
        storage: dead,
        cache: new CredentialCache(),
        limiter: new MemoryRateLimiter(),
        plans: deps.config.plans,
        prefixes: [deps.config.keyPrefix, deps.config.tokenPrefix],
      });
      const app = await buildApp({ ...deps, verifier });
      try {
        const looksReal = generateSecret('spk_');
        const call = (secret: string) =>
          app.inject({ method: 'GET', url: '/v1/ping', headers: { authorization: `Bearer ${secret}` } });
        expectError(await call(withBadChecksum(looksReal)), 401, 'ERR_UNAUTHENTICATED');
        // The control: a key whose checksum holds does reach the (unreachable) database.
        expectError(await call(looksReal), 503, 'ERR_UNAVAILABLE');
      } finally {
        await app.close();
        await dead.close();
      }
    });

    it('a revoked key is refused at once with ERR_KEY_REVOKED', async () => {
      const ws = await t().workspace();
      const { id, secret } = await t().key(ws, 'read');
      expectData(await ping(t(), secret)); // now cached
      await revokeCredential(t().deps.credentials, ws, id);
      expectError(await ping(t(), secret), 401, 'ERR_KEY_REVOKED');
      expectError(await send(t(), { method: 'GET', url: '/v1/boards', secret }), 401, 'ERR_KEY_REVOKED');
    });

    it('a key past its expires_at is refused with ERR_KEY_EXPIRED', async () => {
      const ws = await t().workspace();
      const { secret } = await t().key(ws, 'read', { expiresAt: t().clock.now() + MINUTE });
      expectData(await ping(t(), secret));
      t().clock.advance(MINUTE);
      expectError(await ping(t(), secret), 401, 'ERR_KEY_EXPIRED');
    });

    it('"expire now" ends a key at once', async () => {
      const ws = await t().workspace();
      const { id, secret } = await t().key(ws, 'read');
      expectData(await ping(t(), secret));
      await expireCredential(t().deps.credentials, ws, id);
      expectError(await ping(t(), secret), 401, 'ERR_KEY_EXPIRED');
    });

    it('"expire later" leaves the key working until exactly its time', async () => {
      const ws = await t().workspace();
      const { id, secret } = await t().key(ws, 'read');
      const at = t().clock.now() + 10 * MINUTE;
      await expireCredential(t().deps.credentials, ws, id, at);
      expectData(await ping(t(), secret));
      t().clock.set(at - 1);
      expectData(await ping(t(), secret));
      t().clock.set(at);
      expectError(await ping(t(), secret), 401, 'ERR_KEY_EXPIRED');
    });

    it('a deleted key stops working at once', async () => {
      const ws = await t().workspace();
      const { id, secret } = await t().key(ws, 'read');
      expectData(await ping(t(), secret));
      await deleteCredential(t().deps.credentials, ws, id);
      expectError(await ping(t(), secret), 401, 'ERR_UNAUTHENTICATED');
    });

    it('a key of a workspace on the free plan is 403 ERR_PLAN_REQUIRED', async () => {
      const ws = await t().workspace('free');
      const { secret } = await t().key(ws, 'read:write');
      expectError(await ping(t(), secret), 403, 'ERR_PLAN_REQUIRED');
      expectError(await send(t(), { method: 'GET', url: '/v1/boards', secret }), 403, 'ERR_PLAN_REQUIRED');
    });
  });

  describe('failed attempts are throttled per client address', () => {
    const t = useApp(create, { config: { authFailureLimit: '5/m' } });

    it('past the failure budget an address gets 429 limit "ip" for unknown keys until the window ends; a known key from the same address (NAT) still works', async () => {
      const ws = await t().workspace();
      const { secret } = await t().key(ws, 'read');
      const attacker = '203.0.113.7';
      // Successful requests are not failures.
      for (let i = 0; i < 10; i++) expectData(await ping(t(), secret, attacker));
      for (let i = 0; i < 5; i++)
        expectError(await ping(t(), generateSecret('spk_'), attacker), 401, 'ERR_UNAUTHENTICATED');

      const blocked = await ping(t(), generateSecret('spk_'), attacker);
      expect(expectError(blocked, 429, 'ERR_RATE_LIMITED').details).toEqual({ limit: 'ip' });
      const retryAfter = Number(blocked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);

      // Many clients can share one address: a key this instance already knows as valid is served.
      expectData(await ping(t(), secret, attacker));
      // A valid key never seen before is not looked up for a blocked address: that is what the block saves.
      const { secret: unseen } = await t().key(ws, 'read');
      const unseenBlocked = await ping(t(), unseen, attacker);
      expect(expectError(unseenBlocked, 429, 'ERR_RATE_LIMITED').details).toEqual({ limit: 'ip' });
      expect(unseenBlocked.headers['retry-after']).toBeDefined();

      // Another address is not affected.
      expectData(await ping(t(), secret, '198.51.100.1'));

      t().clock.advance(MINUTE);
      expectData(await ping(t(), secret, attacker));
      expectError(await ping(t(), generateSecret('spk_'), attacker), 401, 'ERR_UNAUTHENTICATED');
    });

    it('bad checksums count as failures too', async () => {
      const ws = await t().workspace();
      const { secret } = await t().key(ws, 'read');
      const ip = '203.0.113.8';
      for (let i = 0; i < 5; i++)
        expectError(await ping(t(), withBadChecksum(secret), ip), 401, 'ERR_UNAUTHENTICATED');
      expectError(await ping(t(), withBadChecksum(secret), ip), 429, 'ERR_RATE_LIMITED');
    });
  });
});
