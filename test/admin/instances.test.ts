/**
 * Two instances sharing the database and Redis: a plan change or a workspace delete made through one
 * instance's admin API is what the other answers at its very next request, cached keys included.
 */

import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { deleteRedisKeys, describeDialects, expectData, expectError, send } from '../http/harness.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { testRedisUrl, uniqueName } from '../support/services.ts';
import type { TestDatabase } from '../support/storages.ts';
import { ADMIN_TOKEN, adminCall } from './support.ts';

/** Asks until the answer is no longer a 200 (at most a second: pub/sub is quicker, the poll the backstop). */
async function firstRefusal(ask: () => Promise<LightMyRequestResponse>): Promise<LightMyRequestResponse> {
  const deadline = Date.now() + 1_000;
  let answer = await ask();
  while (answer.statusCode === 200 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
    answer = await ask();
  }
  return answer;
}

describeDialects('admin API on two instances sharing Redis', (create) => {
  const redisUrl = testRedisUrl();
  if (!redisUrl) {
    it.skip('needs Redis (see the warning above)', () => {});
    return;
  }
  const prefix = `${uniqueName('kwtest')}:`;
  const clock = new ManualClock(Date.now());
  let db: TestDatabase | undefined;
  let one: TestApp | undefined;
  let two: TestApp | undefined;
  beforeAll(async () => {
    db = await create();
    const config = { adminToken: ADMIN_TOKEN };
    one = await startTestApp({ db, redisUrl, redisPrefix: prefix, clock, config });
    two = await startTestApp({ db, redisUrl, redisPrefix: prefix, clock, config });
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await db?.drop();
    await deleteRedisKeys(redisUrl, prefix);
  });

  const ping = (app: TestApp, secret: string) => send(app, { method: 'GET', url: '/v1/ping', secret });

  it('a plan change through one instance applies to the next request on the other', async () => {
    const ws = expectData<{ id: string }>(
      await adminCall(one!, 'POST', '/admin/v1/workspaces', { body: { name: 'Replanned' } }),
      201,
    ).id;
    const { secret } = await one!.key(ws, 'read');
    // Both instances have the key (and its plan) cached.
    expectData(await ping(one!, secret));
    expectData(await ping(two!, secret));
    expectData(await adminCall(one!, 'PATCH', `/admin/v1/workspaces/${ws}`, { body: { plan: 'free' } }));
    expectError(await ping(one!, secret), 403, 'ERR_PLAN_REQUIRED');
    expectError(await firstRefusal(() => ping(two!, secret)), 403, 'ERR_PLAN_REQUIRED');
    // And back, through the other instance.
    expectData(
      await adminCall(two!, 'PATCH', `/admin/v1/workspaces/${ws}`, { body: { plan: 'enterprise' } }),
    );
    const deadline = Date.now() + 1_000;
    let answer = await ping(one!, secret);
    while (answer.statusCode !== 200 && Date.now() < deadline) answer = await ping(one!, secret);
    expectData(answer);
    expect(answer.headers['x-ratelimit-limit']).toBe('10000');
  });

  it('a workspace deleted through one instance: its keys are 401 on both right after', async () => {
    const ws = expectData<{ id: string }>(
      await adminCall(one!, 'POST', '/admin/v1/workspaces', { body: { name: 'Doomed' } }),
      201,
    ).id;
    const keys = [await one!.key(ws, 'read'), await one!.key(ws, 'read:write')];
    for (const k of keys) {
      expectData(await ping(one!, k.secret));
      expectData(await ping(two!, k.secret));
    }
    expectData(await adminCall(two!, 'DELETE', `/admin/v1/workspaces/${ws}`));
    for (const k of keys) {
      expectError(await ping(two!, k.secret), 401, 'ERR_UNAUTHENTICATED');
      expectError(await firstRefusal(() => ping(one!, k.secret)), 401, 'ERR_UNAUTHENTICATED');
    }
    expectError(await adminCall(one!, 'GET', `/admin/v1/workspaces/${ws}`), 404, 'ERR_NOT_FOUND');
  });
});
