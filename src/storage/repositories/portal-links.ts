/** One-time portal links, stored by the hash of their token; taking one is a single guarded write. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, PortalLinkTable } from '../schema.ts';

export type PortalLinkRow = Selectable<PortalLinkTable>;

export class PortalLinkRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: PortalLinkRow): Promise<void> {
    await this.db.insertInto('portal_links').values(row).execute();
  }

  /**
   * Marks the link used if it is unused and unexpired, and returns it; undefined otherwise. One
   * statement, so two tabs opening the same link at once cannot both sign in.
   */
  take(tokenHash: string, now: number): Promise<PortalLinkRow | undefined> {
    return this.db
      .updateTable('portal_links')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
  }

  /** Drops links that ended before `before` (they can no longer be used, and say nothing useful). */
  async deleteEndedBefore(before: number): Promise<void> {
    await this.db.deleteFrom('portal_links').where('expires_at', '<', before).execute();
  }
}
