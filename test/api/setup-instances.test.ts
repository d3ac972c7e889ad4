/**
 * First-run setup across instances: two Keyward instances on one PostgreSQL database (the scale-out
 * setup), each with its own connection pool, racing the first-run form must create one owner. (On
 * SQLite one process serves the database; storage.test.ts covers the lock across processes there.)
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openStorage } from '../../src/storage/index.ts';
import { UserRepository } from '../../src/storage/repositories/users.ts';
import { expectError } from '../http/harness.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { PASSWORD } from '../support/session.ts';
import { dialects, type TestDatabase } from '../support/storages.ts';

describe.each(dialects().filter((d) => d.name === 'postgres'))(
  'first-run setup across instances on $name',
  ({ create }) => {
    if (!create) {
      it.skip('needs its database service (see the warning above)', () => {});
      return;
    }
    let db: TestDatabase | undefined;
    const apps: TestApp[] = [];
    afterAll(async () => {
      await Promise.all(apps.map((a) => a.close()));
      await db?.drop();
    });

    it('two instances racing the first-run form create one workspace and one owner', async () => {
      db = await create();
      const second = openStorage(db.url); // the URL carries the schema: another instance's own pool
      apps.push(await startTestApp({ db }), await startTestApp({ db: { ...db, storage: second } }));
      const setup = (app: TestApp, email: string) =>
        app.app.inject({
          method: 'POST',
          url: '/api/setup',
          payload: { workspace_name: 'Acme', email, password: PASSWORD },
        });
      // Time between "no user yet?" and the insert, so that unserialized setups would overlap.
      const count = UserRepository.prototype.count;
      const slowCount = vi.spyOn(UserRepository.prototype, 'count').mockImplementation(async function (
        this: UserRepository,
      ) {
        const n = await count.call(this);
        await new Promise((done) => setTimeout(done, 100));
        return n;
      });
      const raced = await Promise.all(
        ['a1', 'b1', 'a2', 'b2', 'a3', 'b3'].map((n, i) => setup(apps[i % 2]!, `${n}@acme.test`)),
      );
      slowCount.mockRestore();
      expect(raced.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      for (const lost of raced.filter((r) => r.statusCode !== 201)) expectError(lost, 409, 'ERR_CONFLICT');
      expect(await db.storage.workspaces.list()).toHaveLength(1);
      expect(await second.users.count()).toBe(1);
      await second.close();
    });
  },
);
