/**
 * Delivery: the retry schedule (controlled clock), the same webhook-id on every attempt, giving up,
 * disabling an endpoint that failed for days, redelivery and test events, secret rotation overlap,
 * no redirects, capped responses, timeouts, and recovery from a worker that died mid-delivery.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RETRY_DELAYS_MS } from '../../src/webhooks/schedule.ts';
import { describeDialects, expectData, expectError, useApp } from '../http/harness.ts';
import { userWithRole } from '../support/session.ts';
import { createEndpointVia, integrationToken, LOCAL_RECEIVERS, Receiver, workerFor } from './support.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

interface Delivery {
  id: string;
  event_id: string;
  event_type: string;
  status: string;
  attempt_count: number;
  next_attempt_at: string | null;
  response_status: number | null;
  last_error: string | null;
  attempts: {
    attempt: number;
    response_status: number | null;
    error: string | null;
    response_body: string | null;
  }[];
}

describeDialects('webhook delivery', (create) => {
  const t = useApp(create, { config: LOCAL_RECEIVERS });
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await Receiver.start();
  });
  afterAll(() => receiver.close());
  // Each test starts with an empty queue: what one left pending is delivered (or given up) now.
  afterEach(async () => {
    healthy();
    for (let i = 0; i < 10 && (await t().deps.storage.webhooks.deliveries.countPending()) > 0; i++) {
      t().clock.advance(DAY);
      await workerFor(t()).drain();
    }
  });

  /** A workspace with an endpoint at its own receiver path; `emit` creates a board (board.created). */
  async function setup(path = `/p/${Math.random().toString(36).slice(2)}`) {
    const ws = await t().workspace();
    const token = await integrationToken(t(), ws);
    const endpoint = await createEndpointVia(t(), token.secret, { url: receiver.url(path), events: ['*'] });
    receiver.secrets.push(endpoint.secret);
    const key = await t().key(ws, 'read:write');
    let n = 0;
    const emit = async () =>
      expectData<{ id: string }>(await t().call(key.secret, 'POST', '/v1/boards', { name: `B${++n}` }), 201);
    const received = () => receiver.received.filter((r) => r.path === path);
    const deliveries = async (query = '') =>
      expectData<Delivery[]>(
        await t().call(token.secret, 'GET', `/v1/webhooks/${endpoint.id}/deliveries${query}`),
      );
    return { ws, token, endpoint, emit, received, deliveries, path };
  }

  const failing = (path: string, status = 500) => {
    receiver.reply = (r) => (r.path === path ? { status, body: 'down for maintenance' } : { status: 200 });
  };
  const healthy = () => {
    receiver.reply = () => ({ status: 200, body: 'ok' });
  };

  it('retries on the schedule 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h with the same webhook-id, then gives up', async () => {
    const { emit, received, deliveries, path } = await setup();
    failing(path);
    const worker = workerFor(t());
    await emit();
    expect(await worker.runOnce()).toBe(1);
    for (const delay of RETRY_DELAYS_MS) {
      t().clock.advance(delay - 1);
      expect(await worker.runOnce()).toBe(0);
      t().clock.advance(1);
      expect(await worker.runOnce()).toBe(1);
    }
    t().clock.advance(DAY);
    expect(await worker.runOnce()).toBe(0);
    healthy();

    const got = received();
    expect(got).toHaveLength(8);
    expect(new Set(got.map((r) => r.id)).size).toBe(1);
    expect(got.every((r) => r.verified)).toBe(true);
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({
      status: 'failed',
      attempt_count: 8,
      response_status: 500,
      next_attempt_at: null,
      event_id: got[0]!.id,
    });
    expect(delivery!.attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(delivery!.attempts[0]).toMatchObject({
      response_status: 500,
      response_body: 'down for maintenance',
    });
    expect(await deliveries('?status=failed')).toHaveLength(1);
    expect(await deliveries('?status=succeeded')).toHaveLength(0);
  });

  it('jitter keeps each wait within 10% of the schedule', async () => {
    const { emit, path, deliveries } = await setup();
    failing(path);
    for (const random of [0, 0.999]) {
      await emit();
      const before = t().clock.now();
      await workerFor(t(), { random: () => random }).drain();
      const pending = (await deliveries('?status=pending'))[0]!;
      const wait = Date.parse(pending.next_attempt_at!) - before;
      expect(wait).toBeGreaterThanOrEqual(4_500);
      expect(wait).toBeLessThanOrEqual(5_500);
      expect(wait).toBe(random === 0 ? 4_500 : Math.round(5_000 * (0.9 + 0.2 * 0.999)));
      t().clock.advance(DAY * 2); // let this one run out before the next round
      await workerFor(t()).drain();
    }
    healthy();
  });

  it('a success after failures ends the retries and clears the failure streak', async () => {
    const { ws, endpoint, emit, received, deliveries, path } = await setup();
    let calls = 0;
    receiver.reply = (r) => (r.path === path && ++calls <= 2 ? { status: 503 } : { status: 204 });
    const worker = workerFor(t());
    await emit();
    await worker.runOnce();
    expect((await t().deps.storage.webhooks.endpoints.get(ws, endpoint.id))?.failing_since).toBe(
      t().clock.now(),
    );
    t().clock.advance(5_000);
    await worker.runOnce();
    t().clock.advance(5 * MINUTE);
    await worker.runOnce();
    healthy();
    expect(received()).toHaveLength(3);
    expect((await deliveries())[0]).toMatchObject({
      status: 'succeeded',
      attempt_count: 3,
      response_status: 204,
    });
    expect((await t().deps.storage.webhooks.endpoints.get(ws, endpoint.id))?.failing_since).toBeNull();
  });

  it('an endpoint failing for 5 days is disabled, audited, and gets no more deliveries until re-enabled', async () => {
    const { ws, token, endpoint, emit, received, deliveries, path } = await setup();
    failing(path);
    const worker = workerFor(t());
    await emit();
    await worker.drain();
    for (let day = 1; day <= 4; day++) {
      t().clock.advance(DAY);
      await emit();
      await worker.drain();
    }
    t().clock.advance(DAY - MINUTE);
    await emit();
    await worker.drain();
    let state = expectData<{ enabled: boolean }>(
      await t().call(token.secret, 'GET', `/v1/webhooks/${endpoint.id}`),
    );
    expect(state.enabled).toBe(true);

    t().clock.advance(MINUTE);
    await emit();
    await worker.drain();
    state = expectData(await t().call(token.secret, 'GET', `/v1/webhooks/${endpoint.id}`));
    expect(state).toMatchObject({
      enabled: false,
      disabled_reason: expect.stringMatching(/failed for 5 day/),
    });
    const audit = (await t().deps.storage.audit.list(ws, { action: 'webhook.disabled' }, { limit: 5 })).items;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_type: 'system', target_id: endpoint.id });
    expect(await deliveries('?status=pending')).toEqual([]);

    const sent = received().length;
    await emit();
    t().clock.advance(DAY);
    expect(await worker.drain()).toBe(0);
    expect(received()).toHaveLength(sent);

    healthy();
    state = expectData(
      await t().call(token.secret, 'PATCH', `/v1/webhooks/${endpoint.id}`, { enabled: true }),
    );
    expect(state).toMatchObject({ enabled: true, disabled_reason: null, failing_since: null });
    await emit();
    expect(await worker.drain()).toBe(1);
    expect(received().at(-1)?.payload.data.name).toBe('B9');
  });

  it('an admin redelivers a delivery (same webhook-id, a new log entry) and sends a test event', async () => {
    const owner = await userWithRole(t(), await t().workspace(), 'admin');
    const path = `/admin/${owner.workspaceId}`;
    const created = expectData<{ id: string; secret: string }>(
      await owner.call('POST', '/api/webhooks', { url: receiver.url(path), events: ['board.created'] }),
      201,
    );
    receiver.secrets.push(created.secret);
    const key = await t().key(owner.workspaceId, 'read:write');
    expectData(await t().call(key.secret, 'POST', '/v1/boards', { name: 'Roadmap' }), 201);
    const worker = workerFor(t());
    await worker.drain();
    const [first] = expectData<Delivery[]>(await owner.call('GET', `/api/webhooks/${created.id}/deliveries`));
    expect(first).toMatchObject({ status: 'succeeded', attempt_count: 1 });

    const again = expectData<Delivery>(
      await owner.call('POST', `/api/webhooks/${created.id}/deliveries/${first!.id}/redeliver`),
      202,
    );
    expect(again).toMatchObject({ status: 'pending', event_id: first!.event_id, attempt_count: 0 });
    const test = expectData<Delivery>(await owner.call('POST', `/api/webhooks/${created.id}/test`), 202);
    expect(test.event_type).toBe('webhook.test');
    expect(await worker.drain()).toBe(2);

    const got = receiver.received.filter((r) => r.path === path);
    expect(got.map((r) => r.payload.type).sort()).toEqual(['board.created', 'board.created', 'webhook.test']);
    expect(new Set(got.filter((r) => r.payload.type === 'board.created').map((r) => r.id))).toEqual(
      new Set([first!.event_id]),
    );
    expect(got.every((r) => r.verified)).toBe(true);
    const log = expectData<Delivery[]>(await owner.call('GET', `/api/webhooks/${created.id}/deliveries`));
    expect(log.map((d) => d.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(log.find((d) => d.id === first!.id)?.attempt_count).toBe(1);

    expectError(
      await owner.call('POST', `/api/webhooks/${created.id}/deliveries/dlv_000000000missing/redeliver`),
      404,
      'ERR_NOT_FOUND',
    );
    expectData(await owner.call('PATCH', `/api/webhooks/${created.id}`, { enabled: false }));
    expectError(
      await owner.call('POST', `/api/webhooks/${created.id}/deliveries/${first!.id}/redeliver`),
      409,
      'ERR_CONFLICT',
    );
    expectError(await owner.call('POST', `/api/webhooks/${created.id}/test`), 409, 'ERR_CONFLICT');
  });

  it('after a rotation both secrets sign until the overlap ends, then only the new one', async () => {
    const owner = await userWithRole(t(), await t().workspace(), 'admin');
    const path = `/rot/${owner.workspaceId}`;
    const created = expectData<{ id: string; secret: string }>(
      await owner.call('POST', '/api/webhooks', { url: receiver.url(path), events: ['*'] }),
      201,
    );
    const rotated = expectData<{ secret: string }>(
      await owner.call('POST', `/api/webhooks/${created.id}/rotate-secret`, { overlap_seconds: 600 }),
    );
    const worker = workerFor(t());
    expectData(await owner.call('POST', `/api/webhooks/${created.id}/test`), 202);
    await worker.drain();
    t().clock.advance(600_000);
    expectData(await owner.call('POST', `/api/webhooks/${created.id}/test`), 202);
    await worker.drain();

    const [during, after] = receiver.received.filter((r) => r.path === path);
    expect(during!.signature.split(' ')).toHaveLength(2);
    expect(during!.signature).toMatch(/^v1,\S+ v1,\S+$/);
    expect(receiver.verifies(during!, created.secret)).toBe(true);
    expect(receiver.verifies(during!, rotated.secret)).toBe(true);
    expect(after!.signature.split(' ')).toHaveLength(1);
    expect(receiver.verifies(after!, rotated.secret)).toBe(true);
    expect(receiver.verifies(after!, created.secret)).toBe(false);
  });

  describe('what the worker will not do', () => {
    it('follow a redirect', async () => {
      const { emit, received, deliveries, path } = await setup();
      receiver.reply = (r) =>
        r.path === path
          ? { status: 302, headers: { location: receiver.url('/elsewhere') } }
          : { status: 200 };
      await emit();
      await workerFor(t()).drain();
      healthy();
      expect(received()).toHaveLength(1);
      expect(receiver.received.filter((r) => r.path === '/elsewhere')).toHaveLength(0);
      expect((await deliveries())[0]).toMatchObject({
        status: 'pending',
        response_status: 302,
        last_error: expect.stringMatching(/redirect .* not followed/),
      });
    });

    it('keep more than the start of a large response, or wait past its timeout', async () => {
      const { emit, deliveries, path } = await setup();
      receiver.reply = (r) =>
        r.path === path ? { status: 200, body: 'x'.repeat(200_000) } : { status: 200 };
      await emit();
      await workerFor(t()).drain();
      const [big] = await deliveries();
      expect(big!.status).toBe('succeeded');
      expect(big!.attempts[0]!.response_body!.length).toBeLessThan(2_100);
      expect(big!.attempts[0]!.response_body).toMatch(/\[truncated\]$/);

      receiver.reply = (r) => (r.path === path ? { status: 200, delayMs: 1_000 } : { status: 200 });
      t().clock.advance(1_000); // deliveries list newest first, by creation time
      await emit();
      await workerFor(t(), { timeoutMs: 200 }).drain();
      healthy();
      const [slow] = await deliveries();
      expect(slow).toMatchObject({
        status: 'pending',
        response_status: null,
        last_error: 'timed out after 200 ms',
      });
    });

    it('send to a destination that now resolves to a private address (re-checked at delivery)', async () => {
      const { emit, received, deliveries } = await setup();
      await emit();
      const strict = { policy: { allowHttp: true, allowPrivate: false } };
      await workerFor(t(), strict).drain();
      expect(received()).toHaveLength(0);
      expect((await deliveries())[0]?.last_error).toMatch(
        /^destination refused: 127\.0\.0\.1 is a loopback address/,
      );
    });

    it('connect anywhere but the address it checked (host names are resolved once, by the guard)', async () => {
      const ws = await t().workspace();
      const token = await integrationToken(t(), ws);
      const path = '/resolved';
      const endpoint = await createEndpointVia(t(), token.secret, {
        url: receiver.url(path, 'hooks.customer.test'),
        events: ['*'],
      });
      receiver.secrets.push(endpoint.secret);
      const key = await t().key(ws, 'read:write');
      expectData(await t().call(key.secret, 'POST', '/v1/boards', { name: 'DNS' }), 201);
      const resolve = async () => [{ address: '127.0.0.1', family: 4 }];
      await workerFor(t(), { resolve, policy: { allowHttp: true, allowPrivate: false } }).drain();
      expect(receiver.received.filter((r) => r.path === path)).toHaveLength(0);
      const [refused] = expectData<Delivery[]>(
        await t().call(token.secret, 'GET', `/v1/webhooks/${endpoint.id}/deliveries`),
      );
      expect(refused?.last_error).toMatch(
        /hooks\.customer\.test resolves to 127\.0\.0\.1, a loopback address/,
      );
      // Allowed: the request reaches the receiver through the resolved address (the name exists nowhere else).
      t().clock.advance(5_000);
      await workerFor(t(), { resolve }).drain();
      expect(receiver.received.filter((r) => r.path === path).map((r) => r.verified)).toEqual([true]);
    });
  });

  it('a delivery claimed by a worker that died is delivered exactly once more after its lease ends', async () => {
    const { emit, received, deliveries } = await setup();
    await emit();
    const crashed = workerFor(t(), { leaseMs: 60_000 });
    const [claimed] = await crashed.claim();
    expect(claimed).toBeDefined();
    const survivor = workerFor(t());
    expect(await survivor.runOnce()).toBe(0); // leased: not sent twice at once
    t().clock.advance(59_999);
    expect(await survivor.runOnce()).toBe(0);
    t().clock.advance(1);
    expect(await survivor.runOnce()).toBe(1);
    expect(await survivor.drain()).toBe(0);
    expect(received()).toHaveLength(1);
    expect((await deliveries())[0]).toMatchObject({ status: 'succeeded', attempt_count: 1 });

    // The dead worker coming back late cannot overwrite what the survivor recorded.
    expect(await crashed.deliver(claimed!)).toBe('lease_lost');
    expect((await deliveries())[0]).toMatchObject({ status: 'succeeded', attempt_count: 1 });
  });

  it('/metrics reports queued, delivered and failed deliveries and their latency', async () => {
    const { emit, path } = await setup();
    const worker = workerFor(t(), { metrics: t().deps.webhookMetrics });
    await emit();
    await emit();
    failing(path);
    await worker.runOnce(1);
    healthy();
    await worker.drain();
    const text = (await t().app.inject({ url: '/metrics' })).body;
    expect(text).toMatch(/^keyward_webhook_delivered_total [1-9]/m);
    expect(text).toMatch(/^keyward_webhook_failed_total [1-9]/m);
    expect(text).toMatch(/^keyward_webhook_queued \d+/m);
    expect(text).toMatch(/^keyward_webhook_attempt_duration_seconds_count [1-9]/m);
  });
});
