/** Votes: one per voter per post. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createVoteBody, voteSchema } from '../../../contract/boards.ts';
import { KeywardError } from '../../../core/errors.ts';
import { newId } from '../../../core/ids.ts';
import { iso } from '../../../core/time.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../../../storage/errors.ts';
import type { VoteRow } from '../../../storage/repositories/votes.ts';
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
  pageQuery,
} from '../../schemas.ts';
import { bearerRoute } from './route.ts';

export const presentVote = (v: VoteRow) => ({
  id: v.id,
  post_id: v.post_id,
  voter: v.voter,
  created_at: iso(v.created_at),
});

const notFound = (kind: string, id: string) => new KeywardError('ERR_NOT_FOUND', `${kind} ${id} not found.`);

export const voteRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { storage, clock } = deps;

    app.get(
      '/posts/:id/votes',
      bearerRoute('votes:read', 'votes', 'List the votes on a post', {
        params: idParams,
        querystring: pageQuery,
        response: { 200: listEnvelope(voteSchema), ...commonErrors },
      }),
      async (request) => {
        const ws = request.credential!.workspaceId;
        const after = decodeCursor(request.query.cursor);
        if (!(await storage.posts.exists(ws, request.params.id))) throw notFound('Post', request.params.id);
        const page = await storage.votes.listByPost(ws, request.params.id, {
          limit: request.query.limit,
          after,
        });
        return listResponse(page, presentVote);
      },
    );

    app.post(
      '/posts/:id/votes',
      bearerRoute('votes:write', 'votes', 'Vote for a post', {
        params: idParams,
        body: createVoteBody,
        response: { 201: dataEnvelope(voteSchema), ...commonErrors, 409: commonErrors[404] },
      }),
      async (request, reply) => {
        const ws = request.credential!.workspaceId;
        if (!(await storage.posts.exists(ws, request.params.id))) throw notFound('Post', request.params.id);
        const now = clock.now();
        try {
          const vote = await storage.transaction(async (tx) => {
            const created = await tx.votes.insert({
              id: newId('vote', now),
              workspace_id: ws,
              post_id: request.params.id,
              voter: request.body.voter,
              created_at: now,
            });
            await emitEvent(tx, ws, 'vote.created', presentVote(created), now);
            return created;
          });
          return reply.code(201).send({ data: presentVote(vote) });
        } catch (err) {
          // The post was deleted between the check above and the insert.
          if (isForeignKeyViolation(err)) throw notFound('Post', request.params.id);
          if (isUniqueViolation(err)) {
            // The voter is not repeated: an error never quotes a field back (it may hold anything).
            throw new KeywardError('ERR_CONFLICT', 'This voter has already voted for this post.');
          }
          throw err;
        }
      },
    );

    app.delete(
      '/votes/:id',
      bearerRoute('votes:write', 'votes', 'Remove a vote', {
        params: idParams,
        response: { 200: deletedResponse, ...commonErrors },
      }),
      async (request) => {
        const ws = request.credential!.workspaceId;
        const now = clock.now();
        await storage.transaction(async (tx) => {
          const vote = await tx.votes.get(ws, request.params.id);
          if (!vote || !(await tx.votes.delete(ws, request.params.id)))
            throw notFound('Vote', request.params.id);
          await emitEvent(tx, ws, 'vote.deleted', presentVote(vote), now);
        });
        return deletedBody(request.params.id);
      },
    );
  };
