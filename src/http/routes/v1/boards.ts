/** Boards: the top level of the feedback product. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { boardSchema, createBoardBody, patchBoardBody } from '../../../contract/boards.ts';
import { KeywardError } from '../../../core/errors.ts';
import { newId } from '../../../core/ids.ts';
import { iso } from '../../../core/time.ts';
import { isUniqueViolation } from '../../../storage/errors.ts';
import type { BoardRow } from '../../../storage/repositories/boards.ts';
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

export const presentBoard = (b: BoardRow) => ({
  id: b.id,
  name: b.name,
  slug: b.slug,
  description: b.description,
  post_count: b.post_count,
  created_at: iso(b.created_at),
});

const slugify = (name: string) =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100) || 'board';

const notFound = (id: string) => new KeywardError('ERR_NOT_FOUND', `Board ${id} not found.`);
const slugTaken = (slug: string) =>
  new KeywardError('ERR_CONFLICT', `A board with slug "${slug}" already exists.`);

export const boardRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { storage, clock } = deps;

    app.get(
      '/boards',
      bearerRoute('boards:read', 'boards', 'List boards', {
        querystring: pageQuery,
        response: { 200: listEnvelope(boardSchema), ...commonErrors },
      }),
      async (request) => {
        const page = await storage.boards.list(request.credential!.workspaceId, {
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
        const now = clock.now();
        const slug = request.body.slug ?? slugify(request.body.name);
        try {
          const ws = request.credential!.workspaceId;
          // The board and its webhook event commit together (or neither does).
          const board = await storage.transaction(async (tx) => {
            const created = await tx.boards.insert({
              id: newId('board', now),
              workspace_id: ws,
              name: request.body.name,
              slug,
              description: request.body.description,
              created_at: now,
              updated_at: now,
            });
            await emitEvent(tx, ws, 'board.created', presentBoard(created), now);
            return created;
          });
          return reply.code(201).send({ data: presentBoard(board) });
        } catch (err) {
          if (isUniqueViolation(err)) throw slugTaken(slug);
          throw err;
        }
      },
    );

    app.get(
      '/boards/:id',
      bearerRoute('boards:read', 'boards', 'Get a board', {
        params: idParams,
        response: { 200: dataEnvelope(boardSchema), ...commonErrors },
      }),
      async (request) => {
        const board = await storage.boards.get(request.credential!.workspaceId, request.params.id);
        if (!board) throw notFound(request.params.id);
        return { data: presentBoard(board) };
      },
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
        try {
          const changed = await storage.boards.update(ws, request.params.id, {
            ...request.body,
            updated_at: clock.now(),
          });
          if (!changed) throw notFound(request.params.id);
        } catch (err) {
          if (isUniqueViolation(err)) throw slugTaken(request.body.slug ?? '');
          throw err;
        }
        const board = await storage.boards.get(ws, request.params.id);
        if (!board) throw notFound(request.params.id);
        return { data: presentBoard(board) };
      },
    );

    app.delete(
      '/boards/:id',
      bearerRoute('boards:write', 'boards', 'Delete a board and its posts', {
        params: idParams,
        response: { 200: deletedResponse, ...commonErrors },
      }),
      async (request) => {
        const ws = request.credential!.workspaceId;
        const now = clock.now();
        await storage.transaction(async (tx) => {
          const board = await tx.boards.get(ws, request.params.id);
          if (!board || !(await tx.boards.delete(ws, request.params.id))) throw notFound(request.params.id);
          await emitEvent(tx, ws, 'board.deleted', presentBoard(board), now);
        });
        return deletedBody(request.params.id);
      },
    );
  };
