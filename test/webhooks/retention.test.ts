/**
 * Webhook retention: finished deliveries and their attempt logs are deleted 30 days after they
 * finished, in batches; pending deliveries and the events stay.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.ts';
import { pruneWebhookDeliveries, WEBHOOK_RETENTION_MS } from '../../src/jobs/webhook-retention.ts';
import type { WebhookDeliveryStatus } from '../../src/storage/schema.ts';
import { pendingDelivery } from '../../src/webhooks/emit.ts';
import { describeDialects } from '../http/harness.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestDatabase } from '../support/storages.ts';
import { createEndpointVia, integrationToken, LOCAL_RECEIVERS } from './support.ts';

const DAY = 86_400_000;

describeDialects('webhook retention', (create) => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await create();
    t = await startTestApp({ db, config: LOCAL_RECEIVERS });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('deletes finished deliveries and their attempts after 30 days, in batches; keeps pending ones and events', async () => {
    const { storage } = t.deps;
    const ws = await t.workspace();
    const token = await integrationToken(t, ws);
    const endpoint = await createEndpointVia(t, token.secret, {
      url: 'http://127.0.0.1:9/hook',
      events: ['*'],
    });
    const now = t.clock.now();
    const event = {
      id: newId('event', now),
      workspace_id: ws,
      type: 'credential.created',
      data: '{}',
      created_at: now,
    };
    await storage.events.insert(event);

    /** A delivery finished (or, when pending, created) `daysAgo` days ago, with two attempts. */
    const delivery = async (status: WebhookDeliveryStatus, daysAgo: number) => {
      const at = now - daysAgo * DAY;
      const row = {
        ...pendingDelivery(event, endpoint.id, at),
        status,
        attempts: 2,
        completed_at: status === 'pending' ? null : at,
      };
      await storage.webhooks.deliveries.insert([row]);
      for (const attempt of [1, 2]) {
        await storage.webhooks.deliveries.insertAttempt({
          delivery_id: row.id,
          endpoint_id: endpoint.id,
          workspace_id: ws,
          attempt,
          status: 500,
          error: null,
          duration_ms: 1,
          response_body: 'oops',
          created_at: at,
        });
      }
      return row.id;
    };
    const old = [await delivery('succeeded', 31), await delivery('failed', 45)];
    const kept = [
      await delivery('succeeded', 29),
      await delivery('pending', 60),
      await delivery('failed', 1),
    ];
    // More old ones than one batch holds (500).
    const backlog = Array.from({ length: 620 }, (_, i) => {
      const at = now - (40 * DAY + i);
      return { ...pendingDelivery(event, endpoint.id, at), status: 'succeeded' as const, completed_at: at };
    });
    for (let i = 0; i < backlog.length; i += 100)
      await storage.webhooks.deliveries.insert(backlog.slice(i, i + 100));

    expect(await pruneWebhookDeliveries(storage, t.clock)).toBe(old.length + backlog.length);
    for (const id of old) expect(await storage.webhooks.deliveries.get(ws, endpoint.id, id)).toBeUndefined();
    expect(await storage.webhooks.deliveries.attemptsOf(old)).toEqual([]);
    for (const id of kept) expect(await storage.webhooks.deliveries.get(ws, endpoint.id, id)).toBeDefined();
    expect(await storage.webhooks.deliveries.attemptsOf(kept)).toHaveLength(kept.length * 2);
    expect((await storage.events.list(ws, undefined, { limit: 10 })).items.map((e) => e.id)).toContain(
      event.id,
    );

    // Nothing more to do; a day later the 29-day-old one goes too.
    expect(await pruneWebhookDeliveries(storage, t.clock)).toBe(0);
    expect(await pruneWebhookDeliveries(storage, { now: () => now + 2 * DAY }, WEBHOOK_RETENTION_MS)).toBe(1);
  });
});
