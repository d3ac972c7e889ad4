import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDialects, type TestDatabase } from '../../test/support/storages.ts';
import { CompiledStatement, preparedNameOf } from './compiled.ts';

interface Row {
  id: string;
  name: string;
  plan: string;
  created_at: number;
}

// One statement for every storage below: the SQL is compiled per dialect, once; settings is a constant.
const insertWorkspace = new CompiledStatement<Row>(['id', 'name', 'plan', 'created_at'], (db, row) =>
  db.insertInto('workspaces').values({ ...row, settings: '{}' }),
);

describeDialects('a statement compiled once,', (create, name) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await create();
  });
  afterAll(() => db?.drop());

  const names = async (ids: string[]) =>
    (
      await db.storage.db
        .selectFrom('workspaces')
        .select(['id', 'name', 'created_at'])
        .where('id', 'in', ids)
        .orderBy('id')
        .execute()
    ).map((w) => [w.id, w.name, Number(w.created_at)]);

  it('binds each execution its own values, in the order the query uses them', async () => {
    const { storage } = db;
    const first = await insertWorkspace.execute(storage.db, storage.dialect, {
      id: `ws_c1_${name}`,
      name: 'First',
      plan: 'free',
      created_at: 1,
    });
    await insertWorkspace.execute(storage.db, storage.dialect, {
      created_at: 2,
      plan: 'free',
      name: 'Second',
      id: `ws_c2_${name}`,
    });
    expect(Number(first.numAffectedRows)).toBe(1);
    expect(await names([`ws_c1_${name}`, `ws_c2_${name}`])).toEqual([
      [`ws_c1_${name}`, 'First', 1],
      [`ws_c2_${name}`, 'Second', 2],
    ]);
  });

  it('runs in the transaction it is given: a rollback takes its row away', async () => {
    const { storage } = db;
    const failed = storage.db.transaction().execute(async (trx) => {
      await insertWorkspace.execute(trx, storage.dialect, {
        id: `ws_c3_${name}`,
        name: 'Rolled back',
        plan: 'free',
        created_at: 3,
      });
      expect(
        await trx.selectFrom('workspaces').select('id').where('id', '=', `ws_c3_${name}`).execute(),
      ).toHaveLength(1);
      throw new Error('roll back');
    });
    await expect(failed).rejects.toThrow('roll back');
    expect(await names([`ws_c3_${name}`])).toEqual([]);
  });

  it.runIf(name === 'postgres')(
    'is a named prepared statement on the PostgreSQL connection that ran it',
    async () => {
      const { storage } = db;
      await storage.db.transaction().execute(async (trx) => {
        await insertWorkspace.execute(trx, storage.dialect, {
          id: `ws_c4_${name}`,
          name: 'Prepared',
          plan: 'free',
          created_at: 4,
        });
        const prepared = await sql<{
          name: string;
          statement: string;
        }>`select name, statement from pg_prepared_statements`.execute(trx);
        const ours = prepared.rows.filter((r) => r.statement.startsWith('insert into "workspaces"'));
        expect(ours).toHaveLength(1);
        expect(preparedNameOf(ours[0]!.statement)).toBe(ours[0]!.name);
      });
    },
  );
});
