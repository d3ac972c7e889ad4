/** Posts on boards, with a status workflow (src/feedback/posts.ts does the work). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createPostBody, patchPostBody, postSchema, postsQuery } from '../../../contract/boards.ts';
import { createPost, getPost, listPosts, updatePost } from '../../../feedback/posts.ts';
import { presentPost } from '../../../feedback/present.ts';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, listResponse } from '../../pagination.ts';
import { commonErrors, dataEnvelope, idParams, listEnvelope } from '../../schemas.ts';
import { deleteRoute } from './delete-route.ts';
import { bearerRoute } from './route.ts';

export const postRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const feedback = { storage: deps.storage, clock: deps.clock };

    app.get(
      '/boards/:id/posts',
      bearerRoute('posts:read', 'posts', 'List the posts of a board', {
        params: idParams,
        querystring: postsQuery,
        response: { 200: listEnvelope(postSchema), ...commonErrors },
      }),
      async (request) => {
        const after = decodeCursor(request.query.cursor);
        const page = await listPosts(
          feedback,
          request.credential!.workspaceId,
          request.params.id,
          { status: request.query.status },
          { limit: request.query.limit, after },
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
        const post = await createPost(feedback, ws, request.params.id, request.body);
        return reply.code(201).send({ data: presentPost(post) });
      },
    );

    app.get(
      '/posts/:id',
      bearerRoute('posts:read', 'posts', 'Get a post', {
        params: idParams,
        response: { 200: dataEnvelope(postSchema), ...commonErrors },
      }),
      async (request) => ({
        data: presentPost(await getPost(feedback, request.credential!.workspaceId, request.params.id)),
      }),
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
        return { data: presentPost(await updatePost(feedback, ws, request.params.id, request.body)) };
      },
    );

    deleteRoute(app, feedback, 'post', {
      path: '/posts/:id',
      scope: 'posts:write',
      tag: 'posts',
      summary: 'Delete a post and its votes',
    });
  };
