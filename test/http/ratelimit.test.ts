/**
 * Rate limits over HTTP, on the memory and the Redis limiter: headers on every credentialed answer,
 * the key budget, the workspace pool, fixed windows, and exactness under concurrency (and, with Redis,
 * across instances).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { generateSecret } from '../../src/core/secrets.ts';
import { revokeCredential } from '../../src/credentials/lifecycle.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { uniqueName } from '../support/services.ts';
import type { TestDatabase } from '../support/storages.ts';
import {
  deleteRedisKeys,
  describeDialects,
  expectData,
  expectError,
  limiterBackends,
  MINUTE,
  send,
  useApp,
} from './harness.ts';

interface Limits {
  limit: number;
  remaining: number;
  /** Unix seconds. */
  reset: number;
}

function limitsOf(res: LightMyRequestResponse): Limits {
  const read = (name: string) => {
    const value = res.headers[name];
    expect({
      header: name,
      status: res.statusCode,
      present: typeof value === 'string' && /^\d+$/.test(value),
    }).toEqual({
      header: name,
      status: res.statusCode,
      present: true,
    });
    return Number(value);
  };
  return {
    limit: read('x-ratelimit-limit'),
    remaining: read('x-ratelimit-remaining'),
    reset: read('x-ratelimit-reset'),
  };
}

const ping = (t: TestApp, secret: string) => send(t, { method: 'GET', url: '/v1/ping', secret });
let ips = 0;
/** An address no other test uses (the failure budget is per address, in shared Redis). */
const uniqueIp = () => `198.18.${Math.floor(++ips / 250)}.${(ips % 250) + 1}`;

function withPlansFile(plans: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-plans-'));
  const file = join(dir, 'plans.json');
  writeFileSync(file, JSON.stringify(plans));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return file;
}

describeDialects('rate limits', (create) => {
  describe.each(limiterBackends())('with the $name limiter', ({ backend }) => {
    if (!backend) {
      it.skip('needs Redis (see the warning above)', () => {});
      return;
    }
    const { redisUrl } = backend;

    describe('key budgets', () => {
      const t = useApp(create, { redisUrl });

      it('every credentialed answer carries the headers: success, 400, 403, 404, 409, 413, 415, 422', async () => {
        const ws = await t().workspace();
        const { secret } = await t().key(ws, 'read:write');
        const readOnly = (await t().key(ws, 'read')).secret;
        const board = expectData<{ id: string }>(
          await t().call(secret, 'POST', '/v1/boards', { name: 'Ideas' }),
          201,
        ).id;
        const answers = [
          await ping(t(), secret),
          await send(t(), { method: 'GET', url: '/v1/boards?cursor=bad', secret }),
          await send(t(), { method: 'POST', url: '/v1/boards', secret: readOnly, body: { name: 'x' } }),
          await send(t(), { method: 'GET', url: '/v1/boards/brd_0000000000000000000000', secret }),
          await send(t(), { method: 'POST', url: '/v1/boards', secret, body: { name: 'Ideas' } }),
          await send(t(), {
            method: 'POST',
            url: '/v1/boards',
            secret,
            body: { name: 'x'.repeat(1024 * 1024) },
          }),
          await send(t(), {
            method: 'POST',
            url: '/v1/boards',
            secret,
            body: 'x',
            headers: { 'content-type': 'text/plain' },
          }),
          await send(t(), { method: 'GET', url: `/v1/boards/${board}/posts?limit=0`, secret }),
          await send(t(), { method: 'POST', url: '/v1/boards', secret, body: {} }),
          await send(t(), { method: 'POST', url: '/v1/boards', secret, body: '{oops' }),
        ];
        expect(answers.map((r) => r.statusCode)).toEqual([200, 400, 403, 404, 409, 413, 415, 422, 422, 400]);
        const nowSeconds = t().clock.now() / 1000;
        for (const res of answers) {
          const limits = limitsOf(res);
          expect(limits.limit).toBe(1000);
          expect(limits.reset).toBeGreaterThan(nowSeconds);
          expect(limits.reset).toBeLessThanOrEqual(nowSeconds + 3600);
        }
        // The writer's budget went down one per request (the 403 was charged to the read key).
        const writer = answers.filter((_, i) => i !== 2).map((r) => limitsOf(r).remaining);
        expect(writer).toEqual([998, 997, 996, 995, 994, 993, 992, 991, 990]);
      });

      it('a revoked key still gets the headers, without being charged', async () => {
        const ws = await t().workspace();
        const { id, secret } = await t().key(ws, 'read', { rateLimit: '10/m' });
        expect(limitsOf(await ping(t(), secret)).remaining).toBe(9);
        await revokeCredential(t().deps.credentials, ws, id);
        const first = await ping(t(), secret);
        expectError(first, 401, 'ERR_KEY_REVOKED');
        expect(limitsOf(first)).toMatchObject({ limit: 10, remaining: 9 });
        expect(limitsOf(await ping(t(), secret)).remaining).toBe(9);
      });

      it('a key\'s own limit of 5/m lets 5 requests through, then 429 limit "key" with Retry-After', async () => {
        const ws = await t().workspace();
        const { secret } = await t().key(ws, 'read', { rateLimit: '5/m' });
        const remaining: number[] = [];
        for (let i = 0; i < 5; i++) {
          const res = await ping(t(), secret);
          expectData(res);
          expect(limitsOf(res).limit).toBe(5);
          remaining.push(limitsOf(res).remaining);
        }
        expect(remaining).toEqual([4, 3, 2, 1, 0]);

        const sixth = await ping(t(), secret);
        const error = expectError(sixth, 429, 'ERR_RATE_LIMITED');
        expect(error.details).toEqual({ limit: 'key' });
        const limits = limitsOf(sixth);
        expect(limits).toMatchObject({ limit: 5, remaining: 0 });
        const retryAfter = Number(sixth.headers['retry-after']);
        expect(retryAfter).toBe(Math.ceil((limits.reset * 1000 - t().clock.now()) / 1000));
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(60);
        // Other keys of the workspace are not affected.
        expectData(await ping(t(), (await t().key(ws, 'read')).secret));
      });

      it('the window resets exactly at X-RateLimit-Reset, with the full budget back', async () => {
        const ws = await t().workspace();
        const { secret } = await t().key(ws, 'read', { rateLimit: '3/m' });
        let last: LightMyRequestResponse | undefined;
        for (let i = 0; i < 5; i++) last = await ping(t(), secret);
        expectError(last!, 429, 'ERR_RATE_LIMITED');
        const reset = limitsOf(last!).reset * 1000;
        t().clock.set(reset - 1);
        expectError(await ping(t(), secret), 429, 'ERR_RATE_LIMITED');
        t().clock.set(reset);
        const fresh = await ping(t(), secret);
        expectData(fresh);
        expect(limitsOf(fresh)).toEqual({ limit: 3, remaining: 2, reset: reset / 1000 + 60 });
      });

      it('exact under concurrency: budget 30, 90 requests at once, exactly 30 succeed', async () => {
        const ws = await t().workspace();
        const { secret } = await t().key(ws, 'read', { rateLimit: '30/h' });
        const answers = await Promise.all(Array.from({ length: 90 }, () => ping(t(), secret)));
        const ok = answers.filter((r) => r.statusCode === 200);
        const limited = answers.filter((r) => r.statusCode === 429);
        expect({ ok: ok.length, limited: limited.length }).toEqual({ ok: 30, limited: 60 });
        // Each unit of the budget was handed out once.
        expect(ok.map((r) => limitsOf(r).remaining).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 30 }, (_, i) => i),
        );
        for (const r of limited) expect(r.json().error.details).toEqual({ limit: 'key' });
      });
    });

    describe('the workspace pool', () => {
      const plansFile = withPlansFile({
        professional: { api_access: true, key_rate_limit: '1000/h', workspace_rate_limit: '8/m' },
      });
      const t = useApp(create, { redisUrl, config: { plansFile } });

      it('two keys share the pool: the 9th request overall is 429 limit "workspace"', async () => {
        const ws = await t().workspace('professional');
        const a = (await t().key(ws, 'read')).secret;
        const b = (await t().key(ws, 'read')).secret;
        const remaining: number[] = [];
        for (let i = 0; i < 8; i++) {
          const res = await ping(t(), i % 2 === 0 ? a : b);
          expectData(res);
          // The tighter budget is the one reported.
          expect(limitsOf(res).limit).toBe(8);
          remaining.push(limitsOf(res).remaining);
        }
        expect(remaining).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
        for (const secret of [a, b]) {
          const res = await ping(t(), secret);
          expect(expectError(res, 429, 'ERR_RATE_LIMITED').details).toEqual({ limit: 'workspace' });
          expect(limitsOf(res)).toMatchObject({ limit: 8, remaining: 0 });
          expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        }
        // Another workspace has its own pool.
        const other = (await t().key(await t().workspace('professional'), 'read')).secret;
        expectData(await ping(t(), other));
        // And the pool refills with the next window.
        t().clock.advance(MINUTE);
        expectData(await ping(t(), a));
      });

      it('a key refused by its own budget does not drain the pool', async () => {
        const ws = await t().workspace('professional');
        const greedy = (await t().key(ws, 'read', { rateLimit: '2/m' })).secret;
        for (let i = 0; i < 2; i++) expectData(await ping(t(), greedy));
        for (let i = 0; i < 10; i++) {
          expect(expectError(await ping(t(), greedy), 429, 'ERR_RATE_LIMITED').details).toEqual({
            limit: 'key',
          });
        }
        const polite = (await t().key(ws, 'read')).secret;
        expect(limitsOf(await ping(t(), polite))).toMatchObject({ limit: 8, remaining: 5 });
      });
    });

    if (backend.name === 'redis') {
      describe('two instances sharing Redis', () => {
        const prefix = `${uniqueName('kwtest')}:`;
        const clock = new ManualClock(Date.now());
        let db: TestDatabase | undefined;
        let one: TestApp | undefined;
        let two: TestApp | undefined;

        beforeAll(async () => {
          db = await create();
          const config = { authFailureLimit: '5/m' };
          one = await startTestApp({ db, redisUrl, redisPrefix: prefix, clock, config });
          two = await startTestApp({ db, redisUrl, redisPrefix: prefix, clock, config });
        });
        afterAll(async () => {
          await one?.close();
          await two?.close();
          await db?.drop();
          await deleteRedisKeys(redisUrl!, prefix);
        });

        it('one budget, charged by both: requests alternate and the count continues', async () => {
          const ws = await one!.workspace();
          const { secret } = await one!.key(ws, 'read', { rateLimit: '4/m' });
          const answers = [
            await ping(one!, secret),
            await ping(two!, secret),
            await ping(one!, secret),
            await ping(two!, secret),
            await ping(one!, secret),
          ];
          expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 429]);
          expect(answers.slice(0, 4).map((r) => limitsOf(r).remaining)).toEqual([3, 2, 1, 0]);
        });

        it('an address blocked for failed authentication on one instance is refused by the other too', async () => {
          const ws = await one!.workspace();
          const { secret } = await one!.key(ws, 'read');
          const attacker = uniqueIp();
          const from = (t: TestApp, key: string) =>
            send(t, { method: 'GET', url: '/v1/ping', secret: key, ip: attacker });
          expectData(await from(two!, secret));
          // Failures counted on both instances share one budget; the one that spends it blocks.
          for (let i = 0; i < 5; i++)
            expectError(await from(i % 2 ? one! : two!, generateSecret('spk_')), 401, 'ERR_UNAUTHENTICATED');
          expectError(await from(one!, generateSecret('spk_')), 429, 'ERR_RATE_LIMITED');

          // The other instance learns of it over Redis: a valid key it has not seen yet (so it would be
          // looked up) is refused there. One it knows is still served: the address may be a shared NAT.
          const unseenKey = async () => (await one!.key(ws, 'read')).secret;
          const deadline = Date.now() + 2_000;
          let answer = await from(two!, await unseenKey());
          while (answer.statusCode === 200 && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 20));
            answer = await from(two!, await unseenKey());
          }
          expect(expectError(answer, 429, 'ERR_RATE_LIMITED').details).toEqual({ limit: 'ip' });
          expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
          expectData(await from(two!, secret));
          expectData(await send(two!, { method: 'GET', url: '/v1/ping', secret, ip: uniqueIp() }));

          // Until the window ends, on both.
          clock.advance(MINUTE);
          expectData(await from(two!, secret));
          expectData(await from(one!, secret));
        });

        it('exact across instances: budget 30, 45 concurrent requests on each, exactly 30 succeed', async () => {
          const ws = await one!.workspace();
          const { secret } = await one!.key(ws, 'read', { rateLimit: '30/h' });
          const answers = await Promise.all(
            Array.from({ length: 90 }, (_, i) => ping(i % 2 === 0 ? one! : two!, secret)),
          );
          const ok = answers.filter((r) => r.statusCode === 200).length;
          const limited = answers.filter((r) => r.statusCode === 429).length;
          expect({ ok, limited }).toEqual({ ok: 30, limited: 60 });
        });
      });
    }
  });
});
