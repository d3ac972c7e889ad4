/**
 * What a feedback write sends to the database, statement by statement, on each dialect: a post is
 * begin, its insert (guarded by its board, no probe before), its event, the outbox's read of the
 * workspace's webhook endpoints, commit. Timer-driven work (usage batches, the invalidation poll,
 * jobs) is stopped, so every statement counted is the request's own.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { createApiKey } from '../../src/credentials/api-keys.ts';
import { buildApp } from '../../src/http/app.ts';
import { type Composed, compose } from '../../src/server/compose.ts';
import { openStorage, type Storage } from '../../src/storage/index.ts';
import { describeDialects, type TestDatabase } from '../support/storages.ts';

const QUIET_MS = 1e9;

describeDialects('statements per feedback write', (create) => {
  let db: TestDatabase;
  let counted: Storage;
  let composed: Composed;
  let app: FastifyInstance;
  let secret: string;
  let boardId: string;
  const sent: string[] = [];

  beforeAll(async () => {
    db = await create();
    counted = openStorage(db.url, { onStatement: (sql) => sent.push(sql) });
    const clock = new ManualClock(Date.now());
    const config = loadConfig({}, { databaseUrl: db.url, logLevel: 'silent' });
    composed = await compose(config, {
      clock,
      storage: counted,
      webhookWorker: false,
      jobs: false,
      usageIntervalMs: QUIET_MS,
      pollIntervalMs: QUIET_MS,
    });
    app = await buildApp(composed.deps);
    const ws = await counted.workspaces.create({ name: 'Acme', plan: 'professional' }, clock.now());
    secret = (
      await createApiKey(composed.deps.credentials, { workspaceId: ws.id, name: 'k', scope: 'read:write' })
    ).secret;
    const board = await send('POST', '/v1/boards', { name: 'Ideas' });
    expect(board.statusCode).toBe(201);
    boardId = board.json().data.id;
  });
  afterAll(async () => {
    await app?.close();
    await composed?.close();
    await counted?.close();
    await db?.drop();
  });

  const send = (method: 'POST' | 'PATCH', url: string, body: unknown) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
  /** The statements `call` sent, each as its first word and the table it names first. */
  async function statementsOf(call: () => Promise<{ statusCode: number }>, status: number) {
    sent.length = 0;
    expect((await call()).statusCode).toBe(status);
    return sent.map((sql) => {
      const word = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase();
      // A select's own table is its last `from` (a count subquery comes before it).
      const tables = [...sql.matchAll(/(?:into|from|update)\s+"?(\w+)"?/gi)].map((m) => m[1]);
      const table = word === 'select' ? tables.at(-1) : tables[0];
      return table ? `${word} ${table}` : word;
    });
  }

  it('a post: begin, the guarded insert, its event, the endpoints read, commit', async () => {
    const statements = await statementsOf(
      () => send('POST', `/v1/boards/${boardId}/posts`, { title: 'Dark mode' }),
      201,
    );
    expect(statements).toEqual([
      'begin',
      'insert posts',
      'insert events',
      'select webhook_endpoints',
      'commit',
    ]);
  });

  it('a post on a missing board: the insert that lands nothing, then the rollback', async () => {
    const statements = await statementsOf(
      () => send('POST', '/v1/boards/brd_missing/posts', { title: 'Lost' }),
      404,
    );
    expect(statements).toEqual(['begin', 'insert posts', 'rollback']);
  });

  it('a changed post: one read before the update, none after', async () => {
    const post = (await send('POST', `/v1/boards/${boardId}/posts`, { title: 'Old' })).json().data;
    const statements = await statementsOf(() => send('PATCH', `/v1/posts/${post.id}`, { title: 'New' }), 200);
    expect(statements).toEqual([
      'begin',
      'select posts',
      'update posts',
      'insert events',
      'select webhook_endpoints',
      'commit',
    ]);
  });
});
