/** SQLite's prepared-statement cache: statements are reused, survive schema changes, and are bounded. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { StatementCache } from './dialect.ts';
import { openStorage } from './index.ts';

interface Db {
  notes: { id: number; body: string };
}

describe('SQLite statement cache', () => {
  const dirs: string[] = [];
  const tempDb = () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyward-stmt-'));
    dirs.push(dir);
    return join(dir, 'k.db');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('prepares a statement once and runs it again with new parameters', () => {
    const cache = new StatementCache(new SQLite(':memory:'));
    cache.database.exec('create table t (a integer)');
    const insert = cache.prepare('insert into t (a) values (?)');
    expect(cache.prepare('insert into t (a) values (?)')).toBe(insert);
    insert.run([1]);
    cache.prepare('insert into t (a) values (?)').run([2]);
    expect(cache.prepare('select a from t order by a').all([])).toEqual([{ a: 1 }, { a: 2 }]);
    expect(cache.size).toBe(2);
    cache.close();
    expect(cache.database.open).toBe(false);
  });

  it('hands out a fresh statement while the cached one is still being iterated', () => {
    const cache = new StatementCache(new SQLite(':memory:'));
    cache.database.exec('create table t (a integer); insert into t values (1), (2), (3)');
    const first = cache.prepare('select a from t');
    const rows = first.iterate([]);
    expect(rows.next().value).toEqual({ a: 1 });
    const second = cache.prepare('select a from t');
    expect(second).not.toBe(first);
    expect(second.all([])).toHaveLength(3);
    rows.return?.();
    cache.close();
  });

  it('stays bounded by SQL length: large one-off statements do not pile up', () => {
    const cache = new StatementCache(new SQLite(':memory:'));
    cache.database.exec('create table t (a, b, c, d, e, f, g, h)');
    const row = '(?, ?, ?, ?, ?, ?, ?, ?)';
    // Every batch size from 1 to 500 rows once: ~3.3 M characters of SQL in all.
    for (let n = 1; n <= 500; n++) cache.prepare(`insert into t values ${Array(n).fill(row).join(', ')}`);
    expect(cache.sqlLength).toBeLessThanOrEqual(512 * 1024);
    expect(cache.size).toBeLessThan(100);
    // Small statements still fit beside them.
    const small = cache.prepare('select count(*) as n from t');
    expect(cache.prepare('select count(*) as n from t')).toBe(small);
    cache.close();
  });

  it('cached statements keep working after a migration changes the schema', async () => {
    const db = new Kysely<Db>({
      dialect: new SqliteDialect({ database: new StatementCache(new SQLite(tempDb())) }),
    });
    await db.schema
      .createTable('notes')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .execute();
    await db
      .insertInto('notes')
      .values({ id: 1 } as Db['notes'])
      .execute();
    const all = () => db.selectFrom('notes').selectAll().orderBy('id').execute();
    expect(await all()).toEqual([{ id: 1 }]);
    // New column and a new table: the cached `select *` re-prepares itself and sees the column.
    await db.schema
      .alterTable('notes')
      .addColumn('body', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await sql`create table more (x integer)`.execute(db);
    expect(await all()).toEqual([{ id: 1, body: '' }]);
    await db.insertInto('notes').values({ id: 2, body: 'two' }).execute();
    expect(await all()).toEqual([
      { id: 1, body: '' },
      { id: 2, body: 'two' },
    ]);
    // Transactions (begin/commit/rollback are cached statements too) still commit and roll back.
    await db
      .transaction()
      .execute((trx) => trx.insertInto('notes').values({ id: 3, body: 'three' }).execute());
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('notes').values({ id: 4, body: 'four' }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await all()).map((n) => n.id)).toEqual([1, 2, 3]);
    await db.destroy();
  });

  it('a storage migrates, reads and writes through it, and closes', async () => {
    const storage = openStorage(`sqlite:${tempDb()}`);
    await storage.migrate();
    for (let i = 0; i < 3; i++) {
      const ws = await storage.workspaces.create({ name: `w${i}`, plan: 'free' }, 1_000 + i);
      expect(await storage.workspaces.get(ws.id)).toEqual(ws);
    }
    expect(await storage.migrate()).toEqual([]);
    await storage.close();
  });
});
