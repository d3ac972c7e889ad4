/**
 * The webhook endpoint routes both APIs answer alike — the management API for admins and /v1 for
 * integration tokens: the same paths, schemas and answers; each API brings its own access rule,
 * workspace, actor and summaries.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Actor } from '../../audit/record.ts';
import {
  createWebhookBody,
  deliveriesQuery,
  patchWebhookBody,
  webhookDeliverySchema,
  webhookEndpointSchema,
  webhookWithSecretSchema,
} from '../../contract/webhooks.ts';
import {
  createEndpoint,
  deleteEndpoint,
  type EndpointInput,
  type EndpointPatchInput,
  findEndpoint,
  updateEndpoint,
  type WebhookContext,
} from '../../webhooks/endpoints.ts';
import { presentDeliveries, presentEndpoint } from '../../webhooks/present.ts';
import type { AppDeps } from '../deps.ts';
import { decodeCursor, listResponse, listResponseAsync } from '../pagination.ts';
import {
  commonErrors,
  dataEnvelope,
  deletedBody,
  deletedResponse,
  idParams,
  listEnvelope,
  pageQuery,
} from '../schemas.ts';

export function webhookEndpointRoutesOf(deps: AppDeps) {
  const { storage, clock, config } = deps;
  const ctx: WebhookContext = {
    storage,
    clock,
    policy: { allowHttp: config.webhookAllowHttp, allowPrivate: config.webhookAllowPrivate },
  };
  const present = (row: Parameters<typeof presentEndpoint>[0]) => presentEndpoint(row, clock.now());

  return {
    ctx,
    present,

    async list(workspaceId: string, query: { limit: number; cursor?: string | undefined }) {
      const page = await storage.webhooks.endpoints.list(workspaceId, {
        limit: query.limit,
        after: decodeCursor(query.cursor),
      });
      return listResponse(page, present);
    },

    /** The signing secret is in this answer only. */
    async create(workspaceId: string, input: EndpointInput, actor: Actor) {
      const row = await createEndpoint(ctx, workspaceId, input, actor);
      return { data: { ...present(row), secret: row.secret } };
    },

    async get(workspaceId: string, id: string) {
      return { data: present(await findEndpoint(ctx, workspaceId, id)) };
    },

    async update(workspaceId: string, id: string, patch: EndpointPatchInput, actor: Actor) {
      return { data: present(await updateEndpoint(ctx, workspaceId, id, patch, actor)) };
    },

    async remove(workspaceId: string, id: string, actor: Actor) {
      await deleteEndpoint(ctx, workspaceId, id, actor);
      return deletedBody(id);
    },

    /** One endpoint's delivery log, newest first, with each delivery's attempts. */
    async deliveries(workspaceId: string, id: string, query: z.output<typeof deliveriesQuery>) {
      await findEndpoint(ctx, workspaceId, id);
      const { status, event_type: eventType, limit, cursor } = query;
      const page = await storage.webhooks.deliveries.list(
        workspaceId,
        id,
        { status, eventType },
        { limit, after: decodeCursor(cursor) },
      );
      return listResponseAsync(page, (rows) => presentDeliveries(storage, rows));
    },
  };
}

/** The shared routes, by the summary each API documents them with. */
export interface EndpointRouteSummaries {
  list: string;
  create: string;
  get: string;
  update: string;
  remove: string;
  deliveries: string;
}

/** How one API lets callers at its webhook endpoint routes. */
export interface EndpointRouteAccess {
  /** The route options of a route that reads (`read`) or changes (`write`) endpoints. */
  options<S extends object>(access: 'read' | 'write', summary: string, schema: S): { schema: S };
  workspaceOf(request: FastifyRequest): string;
  actorOf(request: FastifyRequest): Actor;
  summaries: EndpointRouteSummaries;
}

/** Registers list, create, get, change, delete and the delivery log under `/webhooks`. */
export function webhookEndpointRoutes(deps: AppDeps, access: EndpointRouteAccess): FastifyPluginAsyncZod {
  const endpoints = webhookEndpointRoutesOf(deps);
  const { options, workspaceOf, actorOf, summaries } = access;
  return async (app) => {
    app.get(
      '/webhooks',
      options('read', summaries.list, {
        querystring: pageQuery,
        response: { 200: listEnvelope(webhookEndpointSchema), ...commonErrors },
      }),
      async (request) => endpoints.list(workspaceOf(request), request.query),
    );

    app.post(
      '/webhooks',
      options('write', summaries.create, {
        body: createWebhookBody,
        response: { 201: dataEnvelope(webhookWithSecretSchema), ...commonErrors },
      }),
      async (request, reply) =>
        reply.code(201).send(await endpoints.create(workspaceOf(request), request.body, actorOf(request))),
    );

    app.get(
      '/webhooks/:id',
      options('read', summaries.get, {
        params: idParams,
        response: { 200: dataEnvelope(webhookEndpointSchema), ...commonErrors },
      }),
      async (request) => endpoints.get(workspaceOf(request), request.params.id),
    );

    app.patch(
      '/webhooks/:id',
      options('write', summaries.update, {
        params: idParams,
        body: patchWebhookBody,
        response: { 200: dataEnvelope(webhookEndpointSchema), ...commonErrors },
      }),
      async (request) =>
        endpoints.update(workspaceOf(request), request.params.id, request.body, actorOf(request)),
    );

    app.delete(
      '/webhooks/:id',
      options('write', summaries.remove, {
        params: idParams,
        response: { 200: deletedResponse, ...commonErrors },
      }),
      async (request) => endpoints.remove(workspaceOf(request), request.params.id, actorOf(request)),
    );

    app.get(
      '/webhooks/:id/deliveries',
      options('read', summaries.deliveries, {
        params: idParams,
        querystring: deliveriesQuery,
        response: { 200: listEnvelope(webhookDeliverySchema), ...commonErrors },
      }),
      async (request) => endpoints.deliveries(workspaceOf(request), request.params.id, request.query),
    );
  };
}
