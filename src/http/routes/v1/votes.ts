/** Votes: one per voter per post (src/feedback/votes.ts does the work). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createVoteBody, voteSchema } from '../../../contract/boards.ts';
import { presentVote } from '../../../feedback/present.ts';
import { createVote, listVotes } from '../../../feedback/votes.ts';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, listResponse } from '../../pagination.ts';
import { commonErrors, dataEnvelope, idParams, listEnvelope, pageQuery } from '../../schemas.ts';
import { deleteRoute } from './delete-route.ts';
import { bearerRoute } from './route.ts';

export const voteRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const feedback = { storage: deps.storage, clock: deps.clock };

    app.get(
      '/posts/:id/votes',
      bearerRoute('votes:read', 'votes', 'List the votes on a post', {
        params: idParams,
        querystring: pageQuery,
        response: { 200: listEnvelope(voteSchema), ...commonErrors },
      }),
      async (request) => {
        const after = decodeCursor(request.query.cursor);
        const page = await listVotes(feedback, request.credential!.workspaceId, request.params.id, {
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
        const vote = await createVote(
          feedback,
          request.credential!.workspaceId,
          request.params.id,
          request.body,
        );
        return reply.code(201).send({ data: presentVote(vote) });
      },
    );

    deleteRoute(app, feedback, 'vote', {
      path: '/votes/:id',
      scope: 'votes:write',
      tag: 'votes',
      summary: 'Remove a vote',
    });
  };
