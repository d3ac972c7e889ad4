/**
 * Posts on boards, with a status workflow. Creating, changing and deleting one report `post.created`,
 * `post.updated` (and `post.status_changed` when the status moved) and `post.deleted`.
 */
import type { z } from 'zod';
import type { createPostBody, patchPostBody } from '../contract/boards.ts';
import { newId } from '../core/ids.ts';
import type { Repositories } from '../storage/index.ts';
import type { PageRequest } from '../storage/page.ts';
import { emitEvent } from '../webhooks/emit.ts';
import { type FeedbackContext, notFound } from './context.ts';
import { createUnder } from './create-under.ts';
import { presentPost } from './present.ts';
import type { PostRow } from './repositories.ts';

export type CreatePost = z.output<typeof createPostBody>;
export type PatchPost = z.output<typeof patchPostBody>;

/** The post and its `post.created` event, only if the board is in the workspace (src/feedback/create-under.ts). */
export function createPost(
  { storage, clock }: FeedbackContext,
  workspaceId: string,
  boardId: string,
  input: CreatePost,
): Promise<PostRow> {
  const now = clock.now();
  const row = {
    id: newId('post', now),
    workspace_id: workspaceId,
    board_id: boardId,
    title: input.title,
    body: input.body,
    status: input.status,
    author: input.author ?? null,
    created_at: now,
    updated_at: now,
  };
  return createUnder(storage, workspaceId, { kind: 'Board', id: boardId }, (tx) => tx.posts.insert(row), {
    type: 'post.created',
    present: presentPost,
    now,
  });
}

export async function getPost({ storage }: FeedbackContext, workspaceId: string, id: string) {
  const post = await storage.posts.get(workspaceId, id);
  if (!post) throw notFound('Post', id);
  return post;
}

export async function listPosts(
  { storage }: FeedbackContext,
  workspaceId: string,
  boardId: string,
  filter: { status?: string | undefined },
  page: PageRequest,
) {
  if (!(await storage.boards.exists(workspaceId, boardId))) throw notFound('Board', boardId);
  return storage.posts.listByBoard(workspaceId, boardId, filter, page);
}

/**
 * The post after the change is the post before it with the patch applied: it is not read again.
 * The read before, the update and the events share one transaction.
 */
export async function updatePost(
  { storage, clock }: FeedbackContext,
  workspaceId: string,
  id: string,
  patch: PatchPost,
): Promise<PostRow> {
  const now = clock.now();
  return storage.transaction(async (tx) => {
    const before = await tx.posts.get(workspaceId, id);
    const changes = { ...patch, updated_at: now };
    if (!before || !(await tx.posts.update(workspaceId, id, changes))) throw notFound('Post', id);
    const after: PostRow = { ...before, ...changes };
    await emitPostChanges(tx, workspaceId, before, after, now);
    return after;
  });
}

/**
 * Webhook events of a change, in its transaction: `post.updated` for any change (with the previous
 * values of the changed fields), and also `post.status_changed` when the status moved.
 */
async function emitPostChanges(tx: Repositories, ws: string, before: PostRow, after: PostRow, now: number) {
  const fields = ['title', 'body', 'status', 'author'] as const;
  const changed = fields.filter((f) => before[f] !== after[f]);
  if (changed.length === 0) return;
  const previous = Object.fromEntries(changed.map((f) => [f, before[f]]));
  await emitEvent(tx, ws, 'post.updated', { ...presentPost(after), previous_attributes: previous }, now);
  if (before.status !== after.status) {
    await emitEvent(
      tx,
      ws,
      'post.status_changed',
      { ...presentPost(after), previous_status: before.status },
      now,
    );
  }
}
