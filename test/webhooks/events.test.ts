/**
 * Events: every entry of the catalogue is produced by the change it names, recorded in the same
 * transaction (a rolled-back change sends nothing), fanned out to subscribed, enabled endpoints and
 * delivered signed, verified by a real receiver.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../src/audit/record.ts';
import { WEBHOOK_EVENT_TYPES } from '../../src/contract/webhooks.ts';
import { rotateIntegrationToken } from '../../src/credentials/integrations.ts';
import { expireCredential, revokeCredential } from '../../src/credentials/lifecycle.ts';
import { expireInactiveCredentials } from '../../src/jobs/inactivity-expiry.ts';
import { describeDialects, expectData, expectError, useApp } from '../http/harness.ts';
import { createEndpointVia, integrationToken, LOCAL_RECEIVERS, Receiver, workerFor } from './support.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describeDialects('webhook events', (create) => {
  const t = useApp(create, { config: LOCAL_RECEIVERS });
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await Receiver.start();
  });
  afterAll(() => receiver.close());

  /** A workspace with an endpoint subscribed to `events` at a fresh path of the receiver. */
  async function subscribed(events: string[] = ['*']) {
    const ws = await t().workspace();
    const token = await integrationToken(t(), ws);
    const path = `/ws/${ws}`;
    const endpoint = await createEndpointVia(t(), token.secret, { url: receiver.url(path), events });
    receiver.secrets.push(endpoint.secret);
    const key = await t().key(ws, 'read:write');
    const received = () => receiver.received.filter((r) => r.path === path);
    return { ws, token, endpoint, key, received };
  }

  it('every catalogue event is produced, delivered once, signed and shaped {type, timestamp, data}', async () => {
    const { ws, token, key, received } = await subscribed();
    const api = (method: 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
      t().call(key.secret, method, url, body);
    const ctx = t().deps.credentials;
    await t().deps.storage.workspaces.update(ws, { settings: JSON.stringify({ alert_budget_percent: 50 }) });

    const board = expectData<{ id: string }>(await api('POST', '/v1/boards', { name: 'Ideas' }), 201);
    const post = expectData<{ id: string }>(
      await api('POST', `/v1/boards/${board.id}/posts`, { title: 'Dark mode' }),
      201,
    );
    expectData(await api('PATCH', `/v1/posts/${post.id}`, { title: 'Dark mode, please' }));
    expectData(await api('PATCH', `/v1/posts/${post.id}`, { status: 'planned' }));
    const vote = expectData<{ id: string }>(
      await api('POST', `/v1/posts/${post.id}/votes`, { voter: 'ann' }),
      201,
    );
    expectData(await api('DELETE', `/v1/votes/${vote.id}`));
    expectData(await api('DELETE', `/v1/posts/${post.id}`));
    expectData(await api('DELETE', `/v1/boards/${board.id}`));
    const victim = await t().key(ws, 'read');
    await revokeCredential(ctx, ws, victim.id, CLI_ACTOR);
    await rotateIntegrationToken(ctx, ws, token.id, 'later', 3600, CLI_ACTOR);
    const expiring = await t().key(ws, 'read');
    await expireCredential(ctx, ws, expiring.id, undefined, CLI_ACTOR);
    // usage.alert: a key with a budget of 4 crosses 50% (the workspace's threshold).
    const budgeted = await t().key(ws, 'read', { rateLimit: '4/h' });
    for (let i = 0; i < 2; i++) await t().call(budgeted.secret, 'GET', '/v1/boards');
    await t().deps.usage.flush();

    expect(await workerFor(t()).drain()).toBe(13);
    const got = received();
    expect(got.map((r) => r.payload.type).sort()).toEqual([...WEBHOOK_EVENT_TYPES, 'post.updated'].sort());
    for (const r of got) {
      expect(r.verified).toBe(true);
      expect(r.id).toMatch(/^evt_/);
      expect(Object.keys(r.payload)).toEqual(['type', 'timestamp', 'data']);
      expect(new Date(r.payload.timestamp).toISOString()).toBe(r.payload.timestamp);
      const stored = await t().deps.storage.events.list(ws, r.payload.type, { limit: 10 });
      expect(stored.items.map((e) => e.id)).toContain(r.id);
    }
    expect(new Set(got.map((r) => r.id)).size).toBe(13);

    const byType = (type: string) => got.filter((r) => r.payload.type === type).map((r) => r.payload.data);
    expect(byType('board.created')[0]).toMatchObject({ id: board.id, name: 'Ideas' });
    expect(byType('board.deleted')[0]).toMatchObject({ id: board.id });
    expect(byType('post.updated')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ title: 'Dark mode, please', previous_attributes: { title: 'Dark mode' } }),
        expect.objectContaining({ status: 'planned', previous_attributes: { status: 'open' } }),
      ]),
    );
    expect(byType('post.status_changed')[0]).toMatchObject({
      id: post.id,
      status: 'planned',
      previous_status: 'open',
    });
    expect(byType('vote.created')[0]).toMatchObject({ id: vote.id, voter: 'ann' });
    expect(byType('credential.revoked')[0]).toMatchObject({ id: victim.id, object: 'api_key' });
    expect(byType('credential.rotated')[0]).toMatchObject({
      id: token.id,
      object: 'integration_token',
      mode: 'later',
    });
    expect(byType('credential.expired')[0]).toMatchObject({ id: expiring.id });
    expect(byType('usage.alert')[0]).toMatchObject({ kind: 'key_budget', credential_id: budgeted.id });
    // No secret in any payload.
    for (const r of got) expect(r.body).not.toMatch(/spk_|spi_|whsec_/);
  });

  it('an endpoint gets only the events it subscribes to; a disabled endpoint gets none', async () => {
    const { key, endpoint, token, received } = await subscribed(['vote.created']);
    const board = expectData<{ id: string }>(
      await t().call(key.secret, 'POST', '/v1/boards', { name: 'B' }),
      201,
    );
    const post = expectData<{ id: string }>(
      await t().call(key.secret, 'POST', `/v1/boards/${board.id}/posts`, { title: 'P' }),
      201,
    );
    expectData(await t().call(key.secret, 'POST', `/v1/posts/${post.id}/votes`, { voter: 'bo' }), 201);
    await workerFor(t()).drain();
    expectData(await t().call(token.secret, 'PATCH', `/v1/webhooks/${endpoint.id}`, { enabled: false }));
    expectData(await t().call(key.secret, 'POST', `/v1/posts/${post.id}/votes`, { voter: 'cy' }), 201);
    expect(await workerFor(t()).drain()).toBe(0);
    expect(received().map((r) => [r.payload.type, r.payload.data.voter])).toEqual([['vote.created', 'bo']]);
  });

  it('a change that fails (rolled back) records and sends no event', async () => {
    const { ws, key, received } = await subscribed();
    const board = expectData<{ id: string }>(
      await t().call(key.secret, 'POST', '/v1/boards', { name: 'B', slug: 'same' }),
      201,
    );
    expectError(
      await t().call(key.secret, 'POST', '/v1/boards', { name: 'C', slug: 'same' }),
      409,
      'ERR_CONFLICT',
    );
    const post = expectData<{ id: string }>(
      await t().call(key.secret, 'POST', `/v1/boards/${board.id}/posts`, { title: 'P' }),
      201,
    );
    expectData(await t().call(key.secret, 'POST', `/v1/posts/${post.id}/votes`, { voter: 'dee' }), 201);
    expectError(
      await t().call(key.secret, 'POST', `/v1/posts/${post.id}/votes`, { voter: 'dee' }),
      409,
      'ERR_CONFLICT',
    );
    expectError(await t().call(key.secret, 'DELETE', '/v1/votes/vot_000000000nothing'), 404, 'ERR_NOT_FOUND');
    // A PATCH that changes nothing is not an event either.
    expectData(await t().call(key.secret, 'PATCH', `/v1/posts/${post.id}`, { title: 'P' }));
    const events = (await t().deps.storage.events.list(ws, undefined, { limit: 100 })).items.map(
      (e) => e.type,
    );
    expect(events.sort()).toEqual(['board.created', 'post.created', 'vote.created']);
    await workerFor(t()).drain();
    expect(
      received()
        .map((r) => r.payload.type)
        .sort(),
    ).toEqual(['board.created', 'post.created', 'vote.created']);
  });

  it('credential.expired also fires when an expiry time passes by itself, or for inactivity — once each', async () => {
    const { ws, received } = await subscribed(['credential.expired']);
    const ctx = t().deps.credentials;
    const worker = workerFor(t());
    const later = await t().key(ws, 'read');
    await expireCredential(ctx, ws, later.id, t().clock.now() + HOUR, CLI_ACTOR);
    const timed = await t().key(ws, 'read', { expiresAt: t().clock.now() + 2 * HOUR });
    expect(await worker.sweepExpired()).toBe(0);
    t().clock.advance(3 * HOUR);
    expect(await worker.sweepExpired()).toBe(2);
    expect(await worker.sweepExpired()).toBe(0);
    expect(await workerFor(t()).sweepExpired()).toBe(0); // another worker's sweep: already recorded

    await t().deps.storage.workspaces.update(ws, { settings: JSON.stringify({ inactive_expiry_days: 30 }) });
    const idle = await t().key(ws, 'read');
    t().clock.advance(31 * DAY);
    expect(await expireInactiveCredentials(t().deps.storage, t().clock, async () => {})).toContain(idle.id);
    expect(await worker.sweepExpired()).toBe(0); // the job already reported it, with the same event id
    await worker.drain();
    // (The job also expired this workspace's other idle credentials: each reported once too.)
    const ids = received().map((r) => r.payload.data.id as string);
    expect(ids).toEqual(expect.arrayContaining([later.id, timed.id, idle.id]));
    expect(new Set(ids).size).toBe(ids.length);
    expect(received().find((r) => r.payload.data.id === idle.id)?.payload.data.reason).toBe(
      'unused for 30 days',
    );
  });
});
