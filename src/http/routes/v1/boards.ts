/** Boards: the top level of the feedback product (src/feedback/boards.ts does the work). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { boardSchema, createBoardBody, patchBoardBody } from '../../../contract/boards.ts';
import { createBoard, getBoard, updateBoard } from '../../../feedback/boards.ts';
import { presentBoard } from '../../../feedback/present.ts';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, listResponse } from '../../pagination.ts';
import { commonErrors, dataEnvelope, idParams, listEnvelope, pageQuery } from '../../schemas.ts';
import { deleteRoute } from './delete-route.ts';
import { bearerRoute } from './route.ts';

export const boardRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const feedback = { storage: deps.storage, clock: deps.clock };

    app.get(
      '/boards',
      bearerRoute('boards:read', 'boards', 'List boards', {
        querystring: pageQuery,
        response: { 200: listEnvelope(boardSchema), ...commonErrors },
      }),
      async (request) => {
        const page = await deps.storage.boards.list(request.credential!.workspaceId, {
          limit: request.query.limit,
          after: decodeCursor(request.query.cursor),
        });
        return listResponse(page, presentBoard);
      },
    );

    app.post(
      '/boards',
      bearerRoute('boards:write', 'boards', 'Create a board', {
        body: createBoardBody,
        response: { 201: dataEnvelope(boardSchema), ...commonErrors, 409: commonErrors[404] },
      }),
      async (request, reply) => {
        const board = await createBoard(feedback, request.credential!.workspaceId, request.body);
        return reply.code(201).send({ data: presentBoard(board) });
      },
    );

    app.get(
      '/boards/:id',
      bearerRoute('boards:read', 'boards', 'Get a board', {
        params: idParams,
        response: { 200: dataEnvelope(boardSchema), ...commonErrors },
      }),
      async (request) => ({
        data: presentBoard(await getBoard(feedback, request.credential!.workspaceId, request.params.id)),
      }),
    );

    app.patch(
      '/boards/:id',
      bearerRoute('boards:write', 'boards', 'Update a board', {
        params: idParams,
        body: patchBoardBody,
        response: { 200: dataEnvelope(boardSchema), ...commonErrors, 409: commonErrors[404] },
      }),
      async (request) => {
        const ws = request.credential!.workspaceId;
        return { data: presentBoard(await updateBoard(feedback, ws, request.params.id, request.body)) };
      },
    );

    deleteRoute(app, feedback, 'board', {
      path: '/boards/:id',
      scope: 'boards:write',
      tag: 'boards',
      summary: 'Delete a board and its posts',
    });
  };
