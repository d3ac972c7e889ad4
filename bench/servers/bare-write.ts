/**
 * The limit of the stack for a write: a bare Fastify app answering `POST /v1/boards/:id/posts` by
 * inserting the same row Keyward inserts, with one statement and nothing else (no auth, no board
 * check, no transaction, no webhook event, no usage). SQLite through better-sqlite3 with the pragmas
 * of Keyward's storage; PostgreSQL through a `pg` pool of Keyward's size. The write rows are compared
 * with this one.
 *
 *   PORT=… BENCH_DATABASE_URL=sqlite:… | postgres://… node --import tsx bench/servers/bare-write.ts
 */
import SQLite from 'better-sqlite3';
import Fastify from 'fastify';
import pg from 'pg';
import { newId } from '../../src/core/ids.ts';
import { PG_POOL_SIZE, SQLITE_PRAGMAS } from '../../src/storage/dialect.ts';

interface PostBody {
  title: string;
  body?: string;
  status?: string;
  author?: string;
}

const url = process.env.BENCH_DATABASE_URL ?? '';
const port = Number(process.env.PORT ?? 3999);
const COLUMNS = 'id, workspace_id, board_id, title, body, status, author, created_at, updated_at';

/** Inserts one post row; the workspace is the board's (Keyward takes it from the credential). */
type Insert = (values: unknown[]) => Promise<void>;

function sqliteInsert(path: string): { insert: Insert; close: () => Promise<void> } {
  const db = new SQLite(path);
  for (const pragma of SQLITE_PRAGMAS) db.pragma(pragma);
  const statement = db.prepare(`insert into posts (${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  return {
    insert: async (values) => {
      statement.run(values);
    },
    close: async () => {
      db.close();
    },
  };
}

function postgresInsert(connectionString: string): { insert: Insert; close: () => Promise<void> } {
  const pool = new pg.Pool({ connectionString, max: PG_POOL_SIZE });
  const text = `insert into posts (${COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;
  return {
    insert: async (values) => {
      await pool.query(text, values);
    },
    close: () => pool.end(),
  };
}

const store = url.startsWith('sqlite:') ? sqliteInsert(url.slice('sqlite:'.length)) : postgresInsert(url);
const workspaceId = process.env.BENCH_WORKSPACE_ID ?? '';

const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ data: { ok: true } }));
app.post<{ Params: { id: string }; Body: PostBody }>('/v1/boards/:id/posts', async (request, reply) => {
  const now = Date.now();
  const post = {
    id: newId('post', now),
    board_id: request.params.id,
    title: request.body.title,
    body: request.body.body ?? '',
    status: request.body.status ?? 'open',
    vote_count: 0,
    author: request.body.author ?? null,
    created_at: new Date(now).toISOString(),
    updated_at: new Date(now).toISOString(),
  };
  await store.insert([
    post.id,
    workspaceId,
    post.board_id,
    post.title,
    post.body,
    post.status,
    post.author,
    now,
    now,
  ]);
  return reply.code(201).send({ data: post });
});

await app.listen({ port, host: '127.0.0.1' });
const stop = () =>
  void app.close().then(async () => {
    await store.close();
    process.exit(0);
  });
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
