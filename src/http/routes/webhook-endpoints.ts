/**
 * The webhook endpoint operations both APIs answer alike — the management API for admins and /v1 for
 * integration tokens — as response bodies; each API brings its own workspace, actor and route options.
 */
import type { z } from 'zod';
import type { Actor } from '../../audit/record.ts';
import type { deliveriesQuery } from '../../contract/webhooks.ts';
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
import { deletedBody } from '../schemas.ts';

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
