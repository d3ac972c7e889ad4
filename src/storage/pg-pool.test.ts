/**
 * A PostgreSQL connection lost while checked out (a terminated backend) fails the query that needed
 * it as "unavailable", never crashes the process, and the pool replaces it for the next query.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl, uniqueName } from '../../test/support/services.ts';
import { createPostgresDatabase, type TestDatabase } from '../../test/support/storages.ts';
import { isUnavailable } from './errors.ts';
import { openStorage, type Storage } from './index.ts';

const baseUrl = testDatabaseUrl();

describe.skipIf(!baseUrl)('ResilientPgPool on PostgreSQL', () => {
  let db: TestDatabase;
  let storage: Storage;
  const application = uniqueName('kwpool');
  const lost: string[] = [];
  let admin: pg.Client;
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);

  beforeAll(async () => {
    db = await createPostgresDatabase(baseUrl!);
    const url = new URL(baseUrl!);
    url.searchParams.set('application_name', application);
    storage = openStorage(url.toString(), {
      schema: db.schema,
      statementTimeoutMs: 1_000,
      onConnectionLost: (err) => lost.push(err.message),
    });
    admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    process.on('uncaughtException', onUncaught);
  });
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await admin?.end();
    await storage?.close();
    await db?.drop();
  });

  const terminateMine = () =>
    admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [
      application,
    ]);

  it('a backend terminated in the middle of a transaction fails that transaction as unavailable', async () => {
    const failed = await storage
      .transaction(async (tx) => {
        await tx.workspaces.create({ name: 'Doomed', plan: 'professional' }, Date.now());
        await terminateMine();
        await sql`select pg_sleep(0.05)`.execute(storage.db);
        return tx.workspaces.list();
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(isUnavailable(failed), String(failed)).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(uncaught).toEqual([]);
    expect(lost.length).toBeGreaterThan(0);
  });

  it('the next queries get fresh connections and succeed', async () => {
    for (let i = 0; i < 20; i++) await storage.ping();
    await terminateMine();
    const afterwards = await Promise.allSettled(Array.from({ length: 20 }, () => storage.ping()));
    // Idle connections that were cut are dropped by the pool: at most the queries racing it fail.
    for (const r of afterwards) if (r.status === 'rejected') expect(isUnavailable(r.reason)).toBe(true);
    await storage.ping();
    expect(uncaught).toEqual([]);
  });

  it('a statement past the statement timeout is unavailable (57014), and the connection is usable after', async () => {
    const err = await sql`select pg_sleep(3)`.execute(storage.db).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isUnavailable(err), String(err)).toBe(true);
    await storage.ping();
  });
});
