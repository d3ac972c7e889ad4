/** Posts on boards, with a status workflow. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  createPostBody,
  type PostStatus,
  patchPostBody,
  postSchema,
  postsQuery,
} from '../../../contract/boards.ts';
import { KeywardError } from '../../../core/errors.ts';
import { newId } from '../../../core/ids.ts';
import { iso } from '../../../core/time.ts';
import { isForeignKeyViolation } from '../../../storage/errors.ts';
import type { Repositories } from '../../../storage/index.ts';
import type { PostRow } from '../../../storage/repositories/posts.ts';
import { emitEvent } from '../../../webhooks/emit.ts';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, listResponse } from '../../pagination.ts';
import {
  commonErrors,
  dataEnvelope,
  deletedBody,
  deletedResponse,
  idParams,
  listEnvelope,
} from '../../schemas.ts';
import { bearerRoute } from './route.ts';

export const presentPost = (p: PostRow) => ({
  id: p.id,
  board_id: p.board_id,
  title: p.title,
  body: p.body,
  status: p.status as PostStatus,
  vote_count: p.vote_count,
  author: p.author,
  created_at: iso(p.created_at),
  updated_at: iso(p.updated_at),
});

const notFound = (kind: string, id: string) => new KeywardError('ERR_NOT_FOUND', `${kind} ${id} not found.`);

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

export const postRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { storage, clock } = deps;

    app.get(
      '/boards/:id/posts',
      bearerRoute('posts:read', 'posts', 'List the posts of a board', {
        params: idParams,
        querystring: postsQuery,
        response: { 200: listEnvelope(postSchema), ...commonErrors },
      }),
      async (request) => {
        const ws = request.credential!.workspaceId;
        const after = decodeCursor(request.query.cursor);
        if (!(await storage.boards.exists(ws, request.params.id))) throw notFound('Board', request.params.id);
        const page = await storage.posts.listByBoard(
          ws,
          request.params.id,
          { status: request.query.status },
          {
            limit: request.query.limit,
            after,
          },
        );
        return listResponse(page, presentPost);
      },
    );

    app.post(
      '/boards/:id/posts',
      bearerRoute('posts:write', 'posts', 'Create a post', {
        params: idParams,
        body: createPostBody,
        response: { 201: dataEnvelope(postSchema), ...commonErrors },
      }),
      async (request, reply) => {
        const ws = request.credential!.workspaceId;
        if (!(await storage.boards.exists(ws, request.params.id))) throw notFound('Board', request.params.id);
        const now = clock.now();
        const post = await storage
          .transaction(async (tx) => {
            const created = await tx.posts.insert({
              id: newId('post', now),
              workspace_id: ws,
              board_id: request.params.id,
              title: request.body.title,
              body: request.body.body,
              status: request.body.status,
              author: request.body.author ?? null,
              created_at: now,
              updated_at: now,
            });
            await emitEvent(tx, ws, 'post.created', presentPost(created), now);
            return created;
          })
          .catch((err: unknown) => {
            // The board was deleted between the check above and the insert.
            throw isForeignKeyViolation(err) ? notFound('Board', request.params.id) : err;
          });
        return reply.code(201).send({ data: presentPost(post) });
      },
    );

    app.get(
      '/posts/:id',
      bearerRoute('posts:read', 'posts', 'Get a post', {
        params: idParams,
        response: { 200: dataEnvelope(postSchema), ...commonErrors },
      }),
      async (request) => {
        const post = await storage.posts.get(request.credential!.workspaceId, request.params.id);
        if (!post) throw notFound('Post', request.params.id);
        return { data: presentPost(post) };
      },
    );

    app.patch(
      '/posts/:id',
      bearerRoute('posts:write', 'posts', 'Update a post (title, body, status, author)', {
        params: idParams,
        body: patchPostBody,
        response: { 200: dataEnvelope(postSchema), ...commonErrors },
      }),
      async (request) => {
        const ws = request.credential!.workspaceId;
        const now = clock.now();
        const post = await storage.transaction(async (tx) => {
          const before = await tx.posts.get(ws, request.params.id);
          if (
            !before ||
            !(await tx.posts.update(ws, request.params.id, { ...request.body, updated_at: now }))
          ) {
            throw notFound('Post', request.params.id);
          }
          const after = (await tx.posts.get(ws, request.params.id)) as PostRow;
          await emitPostChanges(tx, ws, before, after, now);
          return after;
        });
        return { data: presentPost(post) };
      },
    );

    app.delete(
      '/posts/:id',
      bearerRoute('posts:write', 'posts', 'Delete a post and its votes', {
        params: idParams,
        response: { 200: deletedResponse, ...commonErrors },
      }),
      async (request) => {
        const ws = request.credential!.workspaceId;
        const now = clock.now();
        await storage.transaction(async (tx) => {
          const post = await tx.posts.get(ws, request.params.id);
          if (!post || !(await tx.posts.delete(ws, request.params.id)))
            throw notFound('Post', request.params.id);
          await emitEvent(tx, ws, 'post.deleted', presentPost(post), now);
        });
        return deletedBody(request.params.id);
      },
    );
  };
