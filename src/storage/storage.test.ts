/** One storage suite, run on SQLite and (when configured) PostgreSQL, so the dialects cannot drift. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl, uniqueName } from '../../test/support/services.ts';
import { dialects, type TestDatabase } from '../../test/support/storages.ts';
import { newId } from '../core/ids.ts';
import { generateSecret, hashSecret, startOf } from '../core/secrets.ts';
import { isUniqueViolation } from './errors.ts';
import { openStorage, type Repositories, type Storage } from './index.ts';
import type { CredentialRow, SecretRow } from './repositories/credentials.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// Past 2^31 on purpose: epoch milliseconds must survive as exact JS numbers on both dialects.
const T0 = Date.parse('2026-01-01T00:00:00.123Z');

const NEVER = {
  expires_at: null,
  revoked_at: null,
  deleted_at: null,
  last_used_at: null,
  last_used_ip: null,
};

function credentialRow(workspaceId: string, at: number, over: Partial<CredentialRow> = {}): CredentialRow {
  const id = newId(over.kind === 'integration_token' ? 'integration' : 'apiKey', at);
  const fields = {
    kind: 'api_key',
    name: 'test key',
    description: '',
    scopes: '["read"]',
    rate_limit: null,
  } as const;
  return { id, workspace_id: workspaceId, ...fields, ...NEVER, created_at: at, updated_at: at, ...over };
}

function secretRow(credentialId: string, at: number): SecretRow {
  const secret = generateSecret('spk_');
  const start = startOf(secret, 'spk_');
  return {
    hash: hashSecret(secret),
    credential_id: credentialId,
    start,
    prefix: 'spk_',
    expires_at: null,
    created_at: at,
  };
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the operation to fail');
}

/** Two storages over one brand-new, unmigrated database, as two instances starting together. */
async function openFreshTwice(dialect: 'sqlite' | 'postgres') {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'keyward-race-'));
    const url = `sqlite:${join(dir, 'keyward.db')}`;
    const cleanup = async () => rmSync(dir, { recursive: true });
    return { a: openStorage(url), b: openStorage(url), url, cleanup };
  }
  const url = testDatabaseUrl()!;
  const schema = uniqueName('kwrace');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  const cleanup = async () => {
    await admin.query(`drop schema if exists "${schema}" cascade`);
    await admin.end();
  };
  return { a: openStorage(url, { schema }), b: openStorage(url, { schema }), url, cleanup };
}

describe.each(dialects())('storage on $name', ({ name, create }) => {
  if (!create) {
    it.skip(`${name} is not configured`, () => {});
    return;
  }
  let db: TestDatabase;
  let storage: Storage;
  let clock = T0;
  /** A strictly increasing time, so ids made with it sort by creation. */
  const tick = () => (clock += 1_000);
  const workspace = async () =>
    (await storage.workspaces.create({ name: 'Acme', plan: 'professional' }, tick())).id;
  const vote = (ws: string, postId: string, voter: string, id = newId('vote', tick())) =>
    storage.votes.insert({ id, workspace_id: ws, post_id: postId, voter, created_at: clock });

  beforeAll(async () => {
    db = await create();
    storage = db.storage;
  });
  afterAll(() => db?.drop());

  describe('migrations', () => {
    it('are idempotent: migrating an up-to-date database applies nothing and changes nothing', async () => {
      const ws = await workspace();
      expect(await storage.migrate()).toEqual([]);
      expect(await storage.migrate()).toEqual([]);
      expect(await storage.workspaces.get(ws)).toMatchObject({ id: ws });
    });

    it('two instances migrating a fresh database at the same time both succeed', async () => {
      const { a, b, cleanup } = await openFreshTwice(name);
      try {
        const results = await Promise.allSettled([a.migrate(), b.migrate()]);
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
        const applied = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
        // Every migration ran exactly once between the two.
        expect(applied.length).toBe(new Set(applied).size);
        expect(applied).toContain('0001-foundation');
        const ws = await a.workspaces.create({ name: 'Race', plan: 'free' }, T0);
        expect(await b.workspaces.get(ws.id)).toEqual(ws);
      } finally {
        await Promise.all([a.close(), b.close()]);
        await cleanup();
      }
    });
  });

  describe('exclusive transactions', () => {
    /** First run's shape: "no workspace yet? create it", with time between the check and the write. */
    async function createIfNone(tx: Repositories): Promise<string> {
      if ((await tx.workspaces.list()).length > 0) return 'exists';
      await new Promise((done) => setTimeout(done, 150));
      await tx.workspaces.create({ name: 'Only', plan: 'free' }, 1_767_225_600_123);
      return 'created';
    }

    /** The same in a process of its own, starting its transaction at `start` (epoch ms). */
    async function createIfNoneInChild(url: string, start: number): Promise<string> {
      const script = `
        const { openStorage } = await import('./src/storage/index.ts');
        const storage = openStorage(${JSON.stringify(url)});
        await new Promise((done) => setTimeout(done, ${start} - Date.now()));
        console.log(await storage.exclusiveTransaction('test:create-if-none', ${createIfNone.toString()}));
        await storage.close();`;
      const args = ['--import', 'tsx', '--input-type=module', '-e', script];
      const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT });
      return stdout.trim();
    }

    it('instances checking then writing under one lock: exactly one writes, the others see it', async () => {
      const { a, b, url, cleanup } = await openFreshTwice(name);
      try {
        await a.migrate();
        await b.migrate();
        const lock = 'test:create-if-none';
        const outcomes =
          name === 'postgres'
            ? await Promise.all([a, b, a, b].map((s) => s.exclusiveTransaction(lock, createIfNone)))
            : // better-sqlite3 waits for a lock synchronously, so two instances in one process would
              // stop each other's timers: here each instance is a process, as in a deployment.
              await Promise.all([1, 2, 3].map(() => createIfNoneInChild(url, Date.now() + 3_000)));
        expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
        expect(outcomes.filter((o) => o === 'exists')).toHaveLength(outcomes.length - 1);
        expect(await a.workspaces.list()).toHaveLength(1);
      } finally {
        await Promise.all([a.close(), b.close()]);
        await cleanup();
      }
    }, 30_000);

    it('roll back like any transaction when the function throws', async () => {
      const before = (await storage.workspaces.list()).length;
      await expect(
        storage.exclusiveTransaction('test:rollback', async (tx) => {
          await tx.workspaces.create({ name: 'Gone', plan: 'free' }, tick());
          throw new Error('no');
        }),
      ).rejects.toThrow('no');
      expect(await storage.workspaces.list()).toHaveLength(before);
    });
  });

  it('workspaces are created, read, listed and updated', async () => {
    const at = tick();
    const created = await storage.workspaces.create({ name: 'Globex', plan: 'free', settings: { a: 1 } }, at);
    expect(created).toMatchObject({ name: 'Globex', plan: 'free', settings: '{"a":1}', created_at: at });
    expect(created.id).toMatch(/^ws_/);
    expect(await storage.workspaces.get(created.id)).toEqual(created);
    expect((await storage.workspaces.list()).map((w) => w.id)).toContain(created.id);
    const patch = { name: 'Globex Corp', plan: 'enterprise' };
    expect(await storage.workspaces.update(created.id, patch)).toEqual({ ...created, ...patch });
    expect(await storage.workspaces.get('ws_missing')).toBeUndefined();
  });

  describe('credentials', () => {
    it('are created with a secret and read back only within their workspace', async () => {
      const [ws, other] = [await workspace(), await workspace()];
      const over = { scopes: '["read:write"]', rate_limit: '5/m', expires_at: T0 + 9e9 };
      const row = credentialRow(ws, tick(), over);
      await storage.credentials.create(row, secretRow(row.id, row.created_at));
      expect(await storage.credentials.get(ws, row.id)).toEqual(row);
      expect(await storage.credentials.getById(row.id)).toEqual(row);
      expect(await storage.credentials.get(other, row.id)).toBeUndefined();
    });

    it('list pages newest first, without duplicates or gaps across pages', async () => {
      const ws = await workspace();
      const made: string[] = [];
      for (let i = 0; i < 7; i++) {
        const row = credentialRow(ws, tick());
        await storage.credentials.create(row);
        made.push(row.id);
      }
      await storage.credentials.create(credentialRow(ws, tick(), { kind: 'integration_token' }));
      const deleted = credentialRow(ws, tick(), { deleted_at: tick() });
      await storage.credentials.create(deleted);

      const seen: string[] = [];
      const sizes: number[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await storage.credentials.list(ws, 'api_key', { limit: 3, after });
        seen.push(...page.items.map((c) => c.id));
        sizes.push(page.items.length);
        if (page.nextAfter === null) break;
        expect(page.nextAfter).toBe(page.items.at(-1)!.id);
        after = page.nextAfter;
      }
      expect(sizes).toEqual([3, 3, 1]);
      expect(seen).toEqual([...made].reverse());
      // A page that takes exactly what is left is the last one: no empty page after it.
      const whole = await storage.credentials.list(ws, 'api_key', { limit: 7 });
      expect([whole.items.length, whole.nextAfter]).toEqual([7, null]);
    });

    it('findBySecretHash returns the credential, its secret and its workspace; a deleted one is not found', async () => {
      const ws = await workspace();
      const row = credentialRow(ws, tick());
      const secret = secretRow(row.id, row.created_at);
      await storage.credentials.create(row, secret);
      const found = await storage.credentials.findBySecretHash(secret.hash);
      // The hot path carries what verification needs of the workspace, not the operator's external id.
      const { external_id: _, ...owner } = (await storage.workspaces.get(ws))!;
      expect(found).toEqual({ credential: row, secret, workspace: owner });
      expect(await storage.credentials.findBySecretHash(hashSecret('spk_unknown'))).toBeUndefined();

      await storage.credentials.update(row.id, { deleted_at: tick() });
      expect(await storage.credentials.findBySecretHash(secret.hash)).toBeUndefined();
      expect(await storage.credentials.get(ws, row.id)).toBeUndefined();
    });

    it('revoke happens once: the second call reports false and keeps the first time', async () => {
      const ws = await workspace();
      const row = credentialRow(ws, tick());
      await storage.credentials.create(row);
      const first = tick();
      expect(await storage.credentials.revoke(row.id, first)).toBe(true);
      expect(await storage.credentials.revoke(row.id, tick())).toBe(false);
      expect((await storage.credentials.getById(row.id))!.revoked_at).toBe(first);
    });

    it('rotation keeps an old secret with an end time; secrets are listed newest first', async () => {
      const ws = await workspace();
      const row = credentialRow(ws, tick());
      const old = secretRow(row.id, row.created_at);
      await storage.credentials.create(row, old);
      const fresh = secretRow(row.id, tick());
      await storage.credentials.addSecret(fresh);
      const ends = tick() + 7 * 86_400_000;
      await storage.credentials.expireSecret(old.hash, ends);
      expect(await storage.credentials.secretsOf(row.id)).toEqual([fresh, { ...old, expires_at: ends }]);
    });

    it('touch records last use in a batch', async () => {
      const ws = await workspace();
      const [a, b] = [credentialRow(ws, tick()), credentialRow(ws, tick())];
      await storage.credentials.create(a);
      await storage.credentials.create(b);
      const at = tick();
      await storage.credentials.touch([
        { credentialId: a.id, lastUsedAt: at, lastUsedIp: '203.0.113.9' },
        { credentialId: b.id, lastUsedAt: at + 1, lastUsedIp: null },
      ]);
      const [usedA, usedB] = [
        await storage.credentials.getById(a.id),
        await storage.credentials.getById(b.id),
      ];
      expect(usedA).toMatchObject({ last_used_at: at, last_used_ip: '203.0.113.9' });
      expect(usedB).toMatchObject({ last_used_at: at + 1, last_used_ip: null });
    });

    it('touch updates hundreds of credentials in chunks; a repeated one gets its last entry', async () => {
      const ws = await workspace();
      const rows = Array.from({ length: 1203 }, () => credentialRow(ws, tick()));
      for (let i = 0; i < rows.length; i += 500) {
        await storage.db
          .insertInto('credentials')
          .values(rows.slice(i, i + 500))
          .execute();
      }
      const at = tick();
      // The first row of a chunk types the VALUES columns on PostgreSQL: make it a null IP.
      const batch = rows.map((r, i) => ({
        credentialId: r.id,
        lastUsedAt: at + i,
        lastUsedIp: i % 500 === 0 ? null : `198.51.100.${i % 250}`,
      }));
      batch.push({ credentialId: rows[7]!.id, lastUsedAt: at + 9_999, lastUsedIp: '192.0.2.1' });
      batch.push({ credentialId: 'key_missing', lastUsedAt: at, lastUsedIp: null });
      await storage.credentials.touch(batch);
      const read = await storage.db
        .selectFrom('credentials')
        .select(['id', 'last_used_at', 'last_used_ip', 'updated_at'])
        .where('workspace_id', '=', ws)
        .execute();
      const byId = new Map(read.map((r) => [r.id, r]));
      rows.forEach((r, i) => {
        const expected =
          i === 7
            ? { last_used_at: at + 9_999, last_used_ip: '192.0.2.1' }
            : { last_used_at: at + i, last_used_ip: i % 500 === 0 ? null : `198.51.100.${i % 250}` };
        expect(byId.get(r.id)).toEqual({ id: r.id, ...expected, updated_at: r.updated_at });
      });
      expect(typeof byId.get(rows[0]!.id)!.last_used_at).toBe('number');
      await storage.credentials.touch([]);
    });
  });

  describe('usage', () => {
    const hourRow = (credentialId: string, ws: string, hour: number, n: number) => ({
      credential_id: credentialId,
      workspace_id: ws,
      hour,
      requests: n,
      errors_4xx: n > 1 ? 1 : 0,
      errors_5xx: 0,
      rate_limited: n > 2 ? 2 : 0,
    });

    it('addHourly inserts and increments in chunks; rows repeated in one call are summed', async () => {
      const ws = await workspace();
      const hour = Math.floor(T0 / 3_600_000) * 3_600_000;
      const ids = Array.from({ length: 701 }, (_, i) => `key_usage_${ws}_${i}`);
      // 1402 rows: 701 credentials × 2 hours, three statements.
      const first = ids.flatMap((id) => [hourRow(id, ws, hour, 1), hourRow(id, ws, hour + 3_600_000, 2)]);
      await storage.usage.addHourly(first);
      // Again, with the first credential listed twice for the same hour.
      await storage.usage.addHourly([...first, hourRow(ids[0]!, ws, hour, 3)]);
      const rows = await storage.usage.hourly({ workspaceId: ws }, hour, hour + 2 * 3_600_000);
      expect(rows).toHaveLength(1402);
      const of = (id: string, h: number) => rows.find((r) => r.credential_id === id && r.hour === h);
      const counts = (requests: number, errors_4xx: number, rate_limited: number) => ({
        requests,
        errors_4xx,
        errors_5xx: 0,
        rate_limited,
      });
      expect(of(ids[0]!, hour)).toMatchObject(counts(5, 1, 2));
      expect(of(ids[700]!, hour)).toMatchObject(counts(2, 0, 0));
      expect(of(ids[350]!, hour + 3_600_000)).toEqual({
        ...hourRow(ids[350]!, ws, hour + 3_600_000, 0),
        ...counts(4, 2, 0),
      });
      await storage.usage.addHourly([]);
    });

    it('pruneRequests keeps the newest 1000 rows of each credential it is given, over many chunks', async () => {
      const ws = await workspace();
      const logRow = (credentialId: string, i: number) => ({
        credential_id: credentialId,
        workspace_id: ws,
        method: 'GET',
        route: `/r/${i}`,
        status: 200,
        latency_ms: 1.5,
        ip: null,
        created_at: T0 + i,
      });
      const heavy = [`key_heavy_a_${ws}`, `key_heavy_b_${ws}`];
      const light = Array.from({ length: 250 }, (_, i) => `key_light_${ws}_${i}`);
      const untouched = `key_untouched_${ws}`;
      const rows = [
        ...Array.from({ length: 1300 }, (_, i) => logRow(heavy[0]!, i)),
        ...Array.from({ length: 1001 }, (_, i) => logRow(heavy[1]!, i)),
        ...Array.from({ length: 1200 }, (_, i) => logRow(untouched, i)),
        ...light.flatMap((id) => [logRow(id, 1), logRow(id, 2)]),
      ];
      await storage.usage.appendRequests(rows);
      // Light credentials on both sides of the heavy ones: they fall in different chunks.
      await storage.usage.pruneRequests([
        ...light.slice(0, 150),
        ...heavy,
        ...light.slice(150),
        'key_missing',
      ]);

      const a = await storage.usage.recentRequests(heavy[0]!, { limit: 5000 });
      expect(a.map((r) => r.route)).toEqual(Array.from({ length: 1000 }, (_, i) => `/r/${1299 - i}`));
      const b = await storage.usage.recentRequests(heavy[1]!, { limit: 5000 });
      expect([b.length, b[0]?.route, b[999]?.route]).toEqual([1000, '/r/1000', '/r/1']);
      expect(await storage.usage.recentRequests(untouched, { limit: 5000 })).toHaveLength(1200);
      for (const id of [light[0]!, light[249]!]) {
        expect(await storage.usage.recentRequests(id, { limit: 5 })).toHaveLength(2);
      }
      await storage.usage.pruneRequests([]);
    });
  });

  describe('constraints', () => {
    it('a duplicate secret hash is a unique violation', async () => {
      const ws = await workspace();
      const [a, b] = [credentialRow(ws, tick()), credentialRow(ws, tick())];
      const secret = secretRow(a.id, a.created_at);
      await storage.credentials.create(a, secret);
      await storage.credentials.create(b);
      const err = await errorOf(storage.credentials.addSecret({ ...secret, credential_id: b.id }));
      expect(isUniqueViolation(err)).toBe(true);
    });

    it('a duplicate id is a unique violation; a missing parent is not', async () => {
      const ws = await workspace();
      const row = credentialRow(ws, tick());
      await storage.credentials.create(row);
      expect(isUniqueViolation(await errorOf(storage.credentials.create(row)))).toBe(true);
      const orphan = await errorOf(storage.credentials.addSecret(secretRow('key_missing', tick())));
      expect(isUniqueViolation(orphan)).toBe(false);
    });

    it('one vote per voter per post; the same voter may vote on another post', async () => {
      const ws = await workspace();
      const { boardId, postIds } = await boardWithPosts(ws, 2);
      await vote(ws, postIds[0]!, 'ada@example.com');
      expect(isUniqueViolation(await errorOf(vote(ws, postIds[0]!, 'ada@example.com')))).toBe(true);
      await expect(vote(ws, postIds[1]!, 'ada@example.com')).resolves.toBeDefined();
      expect(boardId).toMatch(/^brd_/);
    });
  });

  async function boardWithPosts(ws: string, posts: number, statuses: string[] = ['open']) {
    const at = tick();
    const fields = { name: 'Ideas', slug: `ideas-${at}`, description: '', created_at: at, updated_at: at };
    const board = await storage.boards.insert({ id: newId('board', at), workspace_id: ws, ...fields });
    const postIds: string[] = [];
    for (let i = 0; i < posts; i++) {
      const t = tick();
      const status = statuses[i % statuses.length]!;
      const post = { title: `Post ${i}`, body: '', status, author: null, created_at: t, updated_at: t };
      const id = newId('post', t);
      await storage.posts.insert({ id, workspace_id: ws, board_id: board.id, ...post });
      postIds.push(id);
    }
    return { boardId: board.id, postIds };
  }

  describe('boards, posts and votes', () => {
    it('boards count their posts and posts count their votes, as numbers', async () => {
      const ws = await workspace();
      const { boardId, postIds } = await boardWithPosts(ws, 3, ['open', 'planned']);
      for (const voter of ['a', 'b']) await vote(ws, postIds[0]!, voter);
      expect((await storage.boards.get(ws, boardId))!.post_count).toBe(3);
      expect((await storage.boards.list(ws, { limit: 10 })).items.map((b) => b.post_count)).toEqual([3]);
      expect((await storage.posts.get(ws, postIds[0]!))!.vote_count).toBe(2);
      const listed = await storage.posts.listByBoard(ws, boardId, {}, { limit: 10 });
      expect(listed.items.map((p) => [p.id, p.vote_count])).toEqual([
        [postIds[2], 0],
        [postIds[1], 0],
        [postIds[0], 2],
      ]);
      const planned = await storage.posts.listByBoard(ws, boardId, { status: 'planned' }, { limit: 10 });
      expect(planned.items.map((p) => p.id)).toEqual([postIds[1]]);
    });

    it('another workspace sees none of them', async () => {
      const [ws, other] = [await workspace(), await workspace()];
      const { boardId, postIds } = await boardWithPosts(ws, 1);
      expect(await storage.boards.get(other, boardId)).toBeUndefined();
      expect(await storage.posts.get(other, postIds[0]!)).toBeUndefined();
      expect(await storage.boards.delete(other, boardId)).toBe(false);
      expect((await storage.boards.list(other, { limit: 10 })).items).toEqual([]);
    });

    it('a post lands only on a board of its workspace, a vote only on a post of its workspace', async () => {
      const [ws, other] = [await workspace(), await workspace()];
      const { boardId, postIds } = await boardWithPosts(ws, 1);
      const t = tick();
      const post = {
        title: 'Elsewhere',
        body: '',
        status: 'open',
        author: null,
        created_at: t,
        updated_at: t,
      };
      const foreign = { ...post, id: newId('post', t), workspace_id: other, board_id: boardId };
      expect(await storage.posts.insert(foreign)).toBeUndefined();
      expect(await storage.posts.insert({ ...foreign, board_id: 'brd_missing' })).toBeUndefined();
      expect(await storage.posts.get(other, foreign.id)).toBeUndefined();
      expect(await vote(other, postIds[0]!, 'v')).toBeUndefined();
      expect(await vote(ws, postIds[0]!, 'v')).toMatchObject({ post_id: postIds[0], voter: 'v' });
      expect((await storage.posts.get(ws, postIds[0]!))!.vote_count).toBe(1);
      const own = { ...post, id: newId('post', tick()), workspace_id: ws, board_id: boardId };
      expect(await storage.posts.insert(own)).toEqual({ ...own, vote_count: 0 });
      expect(await storage.posts.get(ws, own.id)).toEqual({ ...own, vote_count: 0 });
    });

    it('deleting a board deletes its posts and their votes', async () => {
      const ws = await workspace();
      const { boardId, postIds } = await boardWithPosts(ws, 2);
      const voteId = newId('vote', tick());
      await vote(ws, postIds[0]!, 'v', voteId);
      expect(await storage.boards.delete(ws, boardId)).toBe(true);
      expect(await storage.boards.get(ws, boardId)).toBeUndefined();
      for (const id of postIds) expect(await storage.posts.get(ws, id)).toBeUndefined();
      expect(await storage.votes.get(ws, voteId)).toBeUndefined();
      const left = await storage.db.selectFrom('votes').select('id').where('id', '=', voteId).execute();
      expect(left).toEqual([]);
    });
  });

  describe('invalidations', () => {
    it('are recorded in order, read since a sequence number, and pruned by age', async () => {
      const ws = await workspace();
      const start = await storage.invalidations.latestSeq();
      await storage.invalidations.record(ws, 'key_a', T0 + 1);
      await storage.invalidations.record(ws, null, T0 + 2);
      await storage.invalidations.record(ws, 'key_b', T0 + 3);
      const rows = await storage.invalidations.since(start);
      expect(rows.map((r) => [r.workspace_id, r.credential_id])).toEqual([
        [ws, 'key_a'],
        [ws, null],
        [ws, 'key_b'],
      ]);
      const seqs = rows.map((r) => r.seq);
      expect(seqs.every((s) => typeof s === 'number')).toBe(true);
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
      expect(await storage.invalidations.latestSeq()).toBe(seqs[2]);
      expect((await storage.invalidations.since(seqs[0]!)).map((r) => r.seq)).toEqual(seqs.slice(1));
      expect(await storage.invalidations.since(seqs[2]!)).toEqual([]);

      await storage.invalidations.pruneBefore(T0 + 3);
      expect((await storage.invalidations.since(start)).map((r) => r.seq)).toEqual([seqs[2]]);
    });

    it('sequence numbers are never reused, even after everything was pruned', async () => {
      const ws = await workspace();
      await storage.invalidations.record(ws, 'key_x', T0);
      const before = await storage.invalidations.latestSeq();
      await storage.invalidations.pruneBefore(Number.MAX_SAFE_INTEGER);
      await storage.invalidations.record(ws, 'key_y', T0);
      const [row] = await storage.invalidations.since(0);
      expect(row!.seq).toBeGreaterThan(before);
    });
  });

  describe('transactions', () => {
    it('a failure rolls back every write made inside the transaction', async () => {
      let wsId = '';
      const credential = credentialRow('placeholder', tick());
      const err = await errorOf(
        storage.transaction(async (tx) => {
          wsId = (await tx.workspaces.create({ name: 'Doomed', plan: 'free' }, tick())).id;
          credential.workspace_id = wsId;
          await tx.credentials.create(credential, secretRow(credential.id, clock));
          await tx.invalidations.record(wsId, credential.id, clock);
          expect(await tx.credentials.get(wsId, credential.id)).toBeDefined();
          throw new Error('boom');
        }),
      );
      expect((err as Error).message).toBe('boom');
      expect(await storage.workspaces.get(wsId)).toBeUndefined();
      expect(await storage.credentials.getById(credential.id)).toBeUndefined();
      expect(await storage.credentials.secretsOf(credential.id)).toEqual([]);
      expect((await storage.invalidations.since(0)).filter((r) => r.workspace_id === wsId)).toEqual([]);
    });

    it('a success commits every write and returns the value', async () => {
      const id = await storage.transaction(async (tx) => {
        const ws = await tx.workspaces.create({ name: 'Kept', plan: 'free' }, tick());
        await tx.credentials.create(credentialRow(ws.id, tick()));
        return ws.id;
      });
      expect(await storage.workspaces.get(id)).toMatchObject({ name: 'Kept' });
      expect((await storage.credentials.list(id, 'api_key', { limit: 5 })).items).toHaveLength(1);
    });
  });

  it('epoch-ms columns come back as exact JS numbers, never strings', async () => {
    const ws = await workspace();
    const at = T0 + 987;
    const row = credentialRow(ws, at, { expires_at: at + 1, revoked_at: at + 2, last_used_at: at + 3 });
    const secret = { ...secretRow(row.id, at), expires_at: at + 4 };
    await storage.credentials.create(row, secret);
    const {
      credential: c,
      secret: s,
      workspace: w,
    } = (await storage.credentials.findBySecretHash(secret.hash))!;
    const times = [
      c.created_at,
      c.updated_at,
      c.expires_at,
      c.revoked_at,
      c.last_used_at,
      s.created_at,
      s.expires_at,
    ];
    expect(times).toStrictEqual([at, at, at + 1, at + 2, at + 3, at, at + 4]);
    expect(typeof w.created_at).toBe('number');
    const { boardId, postIds } = await boardWithPosts(ws, 1);
    const board = (await storage.boards.get(ws, boardId))!;
    const post = (await storage.posts.get(ws, postIds[0]!))!;
    const more = [board.created_at, board.post_count, post.updated_at, post.vote_count];
    expect(more.map((v) => typeof v)).toEqual(['number', 'number', 'number', 'number']);
    expect(typeof (await storage.invalidations.latestSeq())).toBe('number');
  });
});
