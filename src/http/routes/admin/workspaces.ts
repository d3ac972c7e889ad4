/** Workspaces for the operator: create (named by its own external id), find, list, change, delete. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  adminWorkspaceSchema,
  createWorkspaceBody,
  patchAdminWorkspaceBody,
  workspaceListQuery,
} from '../../../contract/admin.ts';
import {
  createWorkspace,
  deleteWorkspace,
  findWorkspace,
  presentWorkspace,
  updateWorkspace,
} from '../../../operators/workspaces.ts';
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
import { adminRouteOptions, conflictErrors, operatorActor } from './common.ts';

export const adminWorkspaceRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { storage, credentials: ctx } = deps;
    const admin = adminRouteOptions(deps);

    app.post(
      '/workspaces',
      admin('Create a workspace (409 when the external_id is taken)', {
        body: createWorkspaceBody,
        response: { 201: dataEnvelope(adminWorkspaceSchema), ...conflictErrors },
      }),
      async (request, reply) => {
        const row = await createWorkspace(ctx, request.body, operatorActor(request));
        return reply.code(201).send({ data: presentWorkspace(row) });
      },
    );

    app.get(
      '/workspaces',
      admin('List workspaces, newest first; `external_id` finds the one with that id', {
        querystring: workspaceListQuery,
        response: { 200: listEnvelope(adminWorkspaceSchema), ...commonErrors },
      }),
      async (request) => {
        const { limit, cursor, external_id } = request.query;
        const page = await storage.workspaces.page(
          { externalId: external_id },
          { limit, after: decodeCursor(cursor) },
        );
        return listResponse(page, presentWorkspace);
      },
    );

    app.get(
      '/workspaces/:id',
      admin('Get a workspace', {
        params: idParams,
        response: { 200: dataEnvelope(adminWorkspaceSchema), ...commonErrors },
      }),
      async (request) => ({ data: presentWorkspace(await findWorkspace(storage, request.params.id)) }),
    );

    app.patch(
      '/workspaces/:id',
      admin('Rename a workspace, change its external_id, or move it to another plan (effective at once)', {
        params: idParams,
        body: patchAdminWorkspaceBody,
        response: { 200: dataEnvelope(adminWorkspaceSchema), ...conflictErrors },
      }),
      async (request) => {
        const row = await updateWorkspace(ctx, request.params.id, request.body, operatorActor(request));
        return { data: presentWorkspace(row) };
      },
    );

    app.delete(
      '/workspaces/:id',
      admin('Delete a workspace: every credential of it stops working at once', {
        params: idParams,
        response: { 200: deletedResponse, ...commonErrors },
      }),
      async (request) => {
        await deleteWorkspace(ctx, request.params.id, operatorActor(request));
        return deletedBody(request.params.id);
      },
    );
  };
