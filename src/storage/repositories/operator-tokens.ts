/** Operator tokens: stored by the hash of their secret, listed without it, revoked for good. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, OperatorTokenTable } from '../schema.ts';

export type OperatorTokenRow = Selectable<OperatorTokenTable>;

export class OperatorTokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: OperatorTokenRow): Promise<OperatorTokenRow> {
    await this.db.insertInto('operator_tokens').values(row).execute();
    return row;
  }

  list(): Promise<OperatorTokenRow[]> {
    return this.db.selectFrom('operator_tokens').selectAll().orderBy('id').execute();
  }

  get(id: string): Promise<OperatorTokenRow | undefined> {
    return this.db.selectFrom('operator_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByHash(hash: string): Promise<OperatorTokenRow | undefined> {
    return this.db.selectFrom('operator_tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
  }

  async revoke(id: string, now: number): Promise<void> {
    await this.db
      .updateTable('operator_tokens')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }
}
