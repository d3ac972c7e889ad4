/**
 * Secrets are shown once and kept nowhere: not in a table (only their SHA-256), not in Redis, not in
 * a log line, and no error answer ever echoes one back, wherever it was presented.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/core/secrets.ts';
import { revokeCredential } from '../../src/credentials/lifecycle.ts';
import { OutageLog } from '../../src/faults/outage-log.ts';
import { buildApp } from '../../src/http/app.ts';
import type { TestApp } from '../support/app.ts';
import { testRedisUrl, uniqueName } from '../support/services.ts';
import { describeDialects, expectData, type Request, send, unreachableStorage, useApp } from './harness.ts';

interface Issued {
  secret: string;
  hash: string;
}

/** Requests that present `secret` in every place a client might put it, most of them refused. */
function presentations(secret: string, board: string): Request[] {
  return [
    { method: 'GET', url: '/v1/ping', secret },
    { method: 'GET', url: '/v1/boards', secret },
    { method: 'POST', url: '/v1/boards', secret, body: { name: '' } },
    { method: 'POST', url: '/v1/boards', secret, body: { name: 'Taken', slug: 'taken' } },
    { method: 'POST', url: '/v1/boards', secret, body: '{"name": oops' },
    { method: 'GET', url: `/v1/boards/brd_0000000000000000000000?x=1`, secret },
    { method: 'GET', url: `/v1/boards/${secret}`, secret },
    { method: 'DELETE', url: `/v1/votes/${secret}`, secret },
    { method: 'GET', url: `/v1/${secret}` },
    { method: 'GET', url: `/v1/boards/${board}/posts?cursor=${secret}`, secret },
    { method: 'GET', url: `/v1/boards/${board}/posts?status=${secret}`, secret },
    { method: 'POST', url: `/v1/boards/${board}/posts`, secret, body: { title: 'x', status: secret } },
    { method: 'GET', url: `/v1/boards?api_key=${secret}` },
    { method: 'GET', url: '/v1/ping', headers: { cookie: `api_key=${secret}` } },
    { method: 'POST', url: '/v1/boards', body: { name: 'x', api_key: secret } },
    { method: 'GET', url: '/v1/ping', headers: { authorization: `Basic ${secret}` } },
    { method: 'GET', url: '/v1/ping', headers: { authorization: `Bearer ${secret} extra` } },
  ];
}

const rawSecretPart = (secret: string) => secret.slice(secret.indexOf('_') + 1);

describeDialects('secrets', (create) => {
  const redisUrl = testRedisUrl();
  const redisPrefix = `${uniqueName('kwtest')}:`;
  const t = useApp(create, { redisUrl, redisPrefix, config: { authFailureLimit: '1000/m' } });

  /** Keys in every state, used in every way, so that whatever the server keeps about them gets written. */
  async function exercise(app: TestApp): Promise<Issued[]> {
    const issued: Issued[] = [];
    const ws = await app.workspace();
    const free = await app.workspace('free');
    const writer = await app.key(ws, 'read:write');
    const reader = await app.key(ws, 'read', { rateLimit: '3/m' });
    const revoked = await app.key(ws, 'read');
    const expiring = await app.key(ws, 'read', { expiresAt: app.clock.now() + 1_000 });
    const noPlan = await app.key(free, 'read');
    for (const k of [writer, reader, revoked, expiring, noPlan])
      issued.push({ secret: k.secret, hash: hashSecret(k.secret) });

    const board = expectData<{ id: string }>(
      await app.call(writer.secret, 'POST', '/v1/boards', { name: 'Taken', slug: 'taken' }),
      201,
    ).id;
    await revokeCredential(app.deps.credentials, ws, revoked.id);
    app.clock.advance(1_000);
    for (const k of issued) {
      for (const r of presentations(k.secret, board)) await send(app, r);
      for (let i = 0; i < 4; i++) await app.call(k.secret, 'GET', '/v1/ping'); // some hit 429
    }
    await app.deps.usage.flush();
    return issued;
  }

  it('the database holds each secret only as its SHA-256 hash', async () => {
    const issued = await exercise(t());
    const storage = t().deps.storage;
    let dump: string;
    if (storage.dialect === 'sqlite') {
      // The raw bytes of the database file and its write-ahead log, whatever the tables look like.
      const file = t().deps.config.databaseUrl.slice('sqlite:'.length);
      const dir = dirname(file);
      const files = readdirSync(dir).filter((f) => f.startsWith(basename(file)));
      expect(files).toContain(basename(file));
      dump = files.map((f) => readFileSync(join(dir, f)).toString('latin1')).join('\n');
    } else {
      // Every row of every table of the test schema, as text.
      const tables = await sql<{ table_name: string }>`
        select table_name from information_schema.tables where table_schema = current_schema()`.execute(
        storage.db,
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining(['credentials', 'credential_secrets']),
      );
      const rows: string[] = [];
      for (const { table_name } of tables.rows) {
        const result = await sql<{
          row: string;
        }>`select t::text as row from ${sql.table(table_name)} t`.execute(storage.db);
        rows.push(...result.rows.map((r) => r.row));
      }
      dump = rows.join('\n');
    }
    for (const { secret, hash } of issued) {
      expect(dump.includes(hash), 'control: the hash is where we look').toBe(true);
      expect(dump.includes(secret)).toBe(false);
      expect(dump.includes(rawSecretPart(secret))).toBe(false);
    }
  });

  const describeRedis = redisUrl ? describe : describe.skip;
  describeRedis('with Redis', () => {
    it('no Redis key or value holds a secret', async () => {
      const issued = await exercise(t());
      const redis = new Redis(redisUrl!, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
      try {
        const keys = await redis.keys(`${redisPrefix}*`);
        expect(keys.length).toBeGreaterThan(0);
        const values = await Promise.all(
          keys.map((k) => redis.type(k).then((type) => (type === 'string' ? redis.get(k) : type))),
        );
        const dump = [...keys, ...values].join('\n');
        for (const { secret } of issued) expect(dump.includes(rawSecretPart(secret))).toBe(false);
      } finally {
        await redis.quit();
      }
    });
  });

  it('no error answer echoes a presented secret, wherever it was put', async () => {
    const ws = await t().workspace();
    const { secret } = await t().key(ws, 'read:write');
    const board = expectData<{ id: string }>(
      await t().call(secret, 'POST', '/v1/boards', { name: 'B', slug: 'taken' }),
      201,
    ).id;
    const echoed: string[] = [];
    for (const r of presentations(secret, board)) {
      const res = await send(t(), r);
      const everything = `${JSON.stringify(res.headers)}\n${res.body}`;
      if (res.statusCode >= 400 && everything.includes(rawSecretPart(secret))) {
        echoed.push(`${r.method} ${r.url.replace(secret, '<secret>')} → ${res.statusCode}`);
      }
    }
    expect(echoed).toEqual([]);
  });

  it('no log line holds a secret, even at trace level', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    // Product storage that refuses connections, so that failures are logged (success logs nothing today).
    const dead = unreachableStorage();
    const logger = pino({ level: 'trace' }, sink);
    const app = await buildApp({ ...t().deps, storage: dead, logger, outages: new OutageLog({ logger }) });
    try {
      const ws = await t().workspace();
      const { secret } = await t().key(ws, 'read:write');
      const logged: TestApp = { ...t(), app };
      for (const r of presentations(secret, 'brd_0000000000000000000000')) await send(logged, r);
    } finally {
      await app.close();
      await dead.close();
    }
    expect(lines.length).toBeGreaterThan(0);
    const text = lines.join('');
    expect(text).not.toMatch(/spk_[0-9A-Za-z]{38}/);
  });
});
