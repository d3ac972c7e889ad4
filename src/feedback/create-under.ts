/**
 * Creating a post on its board or a vote on its post: one insert that only lands if the parent is
 * in the workspace, and the `<kind>.created` event, in one transaction. A missing parent costs no
 * statement of its own and cannot disappear between a check and the insert.
 */
import type { WebhookEventType } from '../contract/webhooks.ts';
import { isForeignKeyViolation } from '../storage/errors.ts';
import type { Repositories, Storage } from '../storage/index.ts';
import { emitEvent } from '../webhooks/emit.ts';
import { type FeedbackKind, notFound } from './context.ts';

export interface CreatedEvent<Row> {
  type: WebhookEventType;
  present(row: Row): object;
  now: number;
}

export async function createUnder<Row>(
  storage: Storage,
  workspaceId: string,
  parent: { kind: FeedbackKind; id: string },
  insert: (tx: Repositories) => Promise<Row | undefined>,
  event: CreatedEvent<Row>,
): Promise<Row> {
  try {
    return await storage.transaction(async (tx) => {
      const created = await insert(tx);
      if (created === undefined) throw notFound(parent.kind, parent.id);
      await emitEvent(tx, workspaceId, event.type, event.present(created), event.now);
      return created;
    });
  } catch (err) {
    // The parent was deleted by a transaction that committed while this insert ran.
    throw isForeignKeyViolation(err) ? notFound(parent.kind, parent.id) : err;
  }
}
