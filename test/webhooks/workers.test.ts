/**
 * Workers together: two workers (two connections, as two processes would have) share one outbox
 * and send each of 1000 events once, never the same one at the same time; `keyward serve` runs a
 * worker by default and `keyward worker` runs one alone.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { systemClock } from '../../src/core/clock.ts';
import { createApiKey } from '../../src/credentials/api-keys.ts';
import { buildApp } from '../../src/http/app.ts';
import { compose } from '../../src/server/compose.ts';
import { openStorage } from '../../src/storage/index.ts';
import { emitEvent } from '../../src/webhooks/emit.ts';
import { WebhookMetrics } from '../../src/webhooks/metrics.ts';
import { describeDialects } from '../http/harness.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestDatabase } from '../support/storages.ts';
import {
  createEndpointVia,
  eventually,
  integrationToken,
  LOCAL_RECEIVERS,
  Receiver,
  workerFor,
} from './support.ts';

const BIN = fileURLToPath(new URL('../../bin/keyward.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describeDialects('webhook workers', (create) => {
  let db: TestDatabase;
  let t: TestApp;
  let receiver: Receiver;
  beforeAll(async () => {
    db = await create();
    t = await startTestApp({ db, config: LOCAL_RECEIVERS });
    receiver = await Receiver.start();
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
    await db?.drop();
  });

  async function endpointAt(path: string, events = ['*']) {
    const ws = await t.workspace();
    const token = await integrationToken(t, ws);
    const endpoint = await createEndpointVia(t, token.secret, { url: receiver.url(path), events });
    receiver.secrets.push(endpoint.secret);
    return { ws, received: () => receiver.received.filter((r) => r.path === path) };
  }

  it('two workers deliver 1000 events exactly once each, never one twice at the same time', async () => {
    const { ws, received } = await endpointAt('/thousand');
    receiver.reply = () => ({ status: 200, delayMs: Math.floor(Math.random() * 4) });
    for (let batch = 0; batch < 10; batch++) {
      await t.deps.storage.transaction(async (tx) => {
        for (let i = 0; i < 100; i++)
          await emitEvent(tx, ws, 'post.created', { n: batch * 100 + i }, t.clock.now());
      });
    }
    // Each worker on its own connection (pool), like a separate process.
    const storages = [openStorage(db.url), openStorage(db.url)];
    const metrics = storages.map((s) => new WebhookMetrics(s));
    const workers = storages.map((storage, i) =>
      workerFor(t, { storage, metrics: metrics[i], concurrency: 16, pollIntervalMs: 10 }),
    );
    for (const w of workers) w.start();
    try {
      await eventually(
        async () =>
          received().length >= 1000 && (await t.deps.storage.webhooks.deliveries.countPending()) === 0,
        60_000,
      );
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await Promise.all(storages.map((s) => s.close()));
    }
    receiver.reply = () => ({ status: 200 });

    const counts = [...receiver.countById().entries()].filter(([id]) => received().some((r) => r.id === id));
    expect(counts).toHaveLength(1000);
    expect(counts.every(([, n]) => n === 1)).toBe(true);
    expect(receiver.maxConcurrentPerId).toBe(1);
    expect(received().every((r) => r.verified)).toBe(true);
    const delivered = await Promise.all(
      metrics.map(async (m) => (await m.delivered.get()).values[0]?.value ?? 0),
    );
    expect(delivered[0]! + delivered[1]!).toBe(1000);
    // On PostgreSQL both really worked side by side (SKIP LOCKED); SQLite has one writer at a time.
    if (db.url.startsWith('postgres')) expect(Math.min(...delivered)).toBeGreaterThan(0);
  }, 90_000);

  it('keyward serve delivers by default: an API change reaches the receiver within a second or two', async () => {
    const config = loadConfig({}, { databaseUrl: db.url, logLevel: 'silent', ...LOCAL_RECEIVERS });
    const composed = await compose(config, { storage: db.storage, clock: systemClock });
    const app = await buildApp(composed.deps);
    try {
      expect(composed.webhookWorker).toBeDefined();
      const { ws, received } = await endpointAt('/serve', ['board.created']);
      const key = await createApiKey(composed.deps.credentials, {
        workspaceId: ws,
        name: 'k',
        scope: 'read:write',
      });
      const res = await app.inject({
        method: 'POST',
        url: '/v1/boards',
        headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ name: 'Served' }),
      });
      expect(res.statusCode).toBe(201);
      await eventually(() => received().length === 1, 5_000);
      expect(received()[0]).toMatchObject({
        verified: true,
        payload: { type: 'board.created', data: { name: 'Served' } },
      });
    } finally {
      await app.close();
      await composed.close();
    }
    const off = await compose({ ...config, webhookWorker: false }, { storage: db.storage });
    expect(off.webhookWorker).toBeUndefined();
    await off.close();
  });

  it('keyward worker runs alone until SIGTERM', async () => {
    const { ws, received } = await endpointAt('/cli');
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KEYWARD_')));
    const child = spawn(process.execPath, [BIN, 'worker'], {
      cwd: ROOT,
      env: {
        ...env,
        KEYWARD_DATABASE_URL: db.url,
        KEYWARD_WEBHOOK_ALLOW_HTTP: 'true',
        KEYWARD_WEBHOOK_ALLOW_PRIVATE: 'true',
        KEYWARD_LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    try {
      await t.deps.storage.transaction((tx) =>
        emitEvent(tx, ws, 'vote.created', { voter: 'cli' }, Date.now()),
      );
      await eventually(() => received().length === 1, 15_000);
      expect(received()[0]).toMatchObject({
        verified: true,
        payload: { type: 'vote.created', data: { voter: 'cli' } },
      });
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'close')) as [number | null];
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  }, 30_000);
});
