/** Votes: one per voter per post. Casting one reports `vote.created`. */
import type { z } from 'zod';
import type { createVoteBody } from '../contract/boards.ts';
import { KeywardError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import type { PageRequest } from '../storage/page.ts';
import { type FeedbackContext, notFound } from './context.ts';
import { createUnder } from './create-under.ts';
import { presentVote } from './present.ts';
import type { VoteRow } from './repositories.ts';

export type CreateVote = z.output<typeof createVoteBody>;

/** The vote and its `vote.created` event, only if the post is in the workspace (src/feedback/create-under.ts). */
export async function createVote(
  { storage, clock }: FeedbackContext,
  workspaceId: string,
  postId: string,
  input: CreateVote,
): Promise<VoteRow> {
  const now = clock.now();
  const row = {
    id: newId('vote', now),
    workspace_id: workspaceId,
    post_id: postId,
    voter: input.voter,
    created_at: now,
  };
  try {
    return await createUnder(
      storage,
      workspaceId,
      { kind: 'Post', id: postId },
      (tx) => tx.votes.insert(row),
      {
        type: 'vote.created',
        present: presentVote,
        now,
      },
    );
  } catch (err) {
    // The voter is not repeated: an error never quotes a field back (it may hold anything).
    if (isUniqueViolation(err))
      throw new KeywardError('ERR_CONFLICT', 'This voter has already voted for this post.');
    throw err;
  }
}

export async function listVotes(
  { storage }: FeedbackContext,
  workspaceId: string,
  postId: string,
  page: PageRequest,
) {
  if (!(await storage.posts.exists(workspaceId, postId))) throw notFound('Post', postId);
  return storage.votes.listByPost(workspaceId, postId, page);
}
