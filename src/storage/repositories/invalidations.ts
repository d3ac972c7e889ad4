/** The invalidation log every process polls, so a change made elsewhere reaches its cache. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface Invalidation {
  seq: number;
  workspace_id: string;
  credential_id: string | null;
}

export class InvalidationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async record(workspaceId: string, credentialId: string | null, now: number): Promise<void> {
    await this.db
      .insertInto('invalidations')
      .values({ workspace_id: workspaceId, credential_id: credentialId, created_at: now })
      .execute();
  }

  async latestSeq(): Promise<number> {
    const row = await this.db
      .selectFrom('invalidations')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  since(seq: number): Promise<Invalidation[]> {
    return this.db
      .selectFrom('invalidations')
      .select(['seq', 'workspace_id', 'credential_id'])
      .where('seq', '>', seq)
      .orderBy('seq')
      .limit(1000)
      .execute();
  }

  /** The given entries that exist now (a poll re-checks numbers it saw skipped). */
  bySeq(seqs: readonly number[]): Promise<Invalidation[]> {
    if (seqs.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('invalidations')
      .select(['seq', 'workspace_id', 'credential_id'])
      .where('seq', 'in', [...seqs])
      .orderBy('seq')
      .execute();
  }

  async pruneBefore(time: number): Promise<void> {
    await this.db.deleteFrom('invalidations').where('created_at', '<', time).execute();
  }
}
