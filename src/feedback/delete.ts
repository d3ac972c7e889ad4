/**
 * Deleting a board, a post or a vote: the row is read (its event carries it as it was), deleted and
 * reported as `<kind>.deleted`, in one transaction. A board takes its posts and their votes with it,
 * a post its votes (foreign keys cascade); only the deleted row itself is reported.
 */
import type { WebhookEventType } from '../contract/webhooks.ts';
import type { Repositories } from '../storage/index.ts';
import { emitEvent } from '../webhooks/emit.ts';
import { type FeedbackContext, type FeedbackKind, notFound } from './context.ts';
import { presentBoard, presentPost, presentVote } from './present.ts';

interface Deletable<Row> {
  kind: FeedbackKind;
  event: WebhookEventType;
  repository(tx: Repositories): {
    get(workspaceId: string, id: string): Promise<Row | undefined>;
    delete(workspaceId: string, id: string): Promise<boolean>;
  };
  present(row: Row): object;
}

const deletable = <Row>(d: Deletable<Row>) => d;

const DELETABLE = {
  board: deletable({
    kind: 'Board',
    event: 'board.deleted',
    repository: (tx) => tx.boards,
    present: presentBoard,
  }),
  post: deletable({
    kind: 'Post',
    event: 'post.deleted',
    repository: (tx) => tx.posts,
    present: presentPost,
  }),
  vote: deletable({
    kind: 'Vote',
    event: 'vote.deleted',
    repository: (tx) => tx.votes,
    present: presentVote,
  }),
};

export type DeletableKind = keyof typeof DELETABLE;

export async function deleteFeedback(
  { storage, clock }: FeedbackContext,
  what: DeletableKind,
  workspaceId: string,
  id: string,
): Promise<void> {
  const { kind, event, repository, present } = DELETABLE[what] as Deletable<unknown>;
  const now = clock.now();
  await storage.transaction(async (tx) => {
    const rows = repository(tx);
    const row = await rows.get(workspaceId, id);
    if (!row || !(await rows.delete(workspaceId, id))) throw notFound(kind, id);
    await emitEvent(tx, workspaceId, event, present(row), now);
  });
}
