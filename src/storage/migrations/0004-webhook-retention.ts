/** Finished webhook deliveries by completion time, for the retention job (src/jobs/webhook-retention.ts). */
import { type Kysely, type Migration, sql } from 'kysely';

export const webhookRetention = (): Migration => ({
  // biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types
  up: async (db: Kysely<any>) => {
    // Only finished rows: pending ones are never pruned and are what the outbox index serves.
    await db.schema
      .createIndex('webhook_deliveries_finished')
      .on('webhook_deliveries')
      .columns(['completed_at'])
      .where(sql.ref('status'), '<>', 'pending')
      .execute();
  },
});
