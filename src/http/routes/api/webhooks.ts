/**
 * Webhook endpoints in the dashboard: members read (endpoints, delivery log), admins change them,
 * rotate the signing secret, send a test event and redeliver.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  createWebhookBody,
  DEFAULT_SECRET_OVERLAP_SECONDS,
  deliveriesQuery,
  deliveryParams,
  patchWebhookBody,
  rotateWebhookSecretBody,
  webhookDeliverySchema,
  webhookEndpointSchema,
  webhookWithSecretSchema,
} from '../../../contract/webhooks.ts';
import {
  createEndpoint,
  deleteEndpoint,
  findEndpoint,
  rotateSecret,
  updateEndpoint,
  type WebhookContext,
} from '../../../webhooks/endpoints.ts';
import { presentDeliveries, presentEndpoint } from '../../../webhooks/present.ts';
import { redeliver, sendTestEvent } from '../../../webhooks/resend.ts';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, encodeCursor } from '../../pagination.ts';
import {
  commonErrors,
  dataEnvelope,
  deletedResponse,
  idParams,
  listEnvelope,
  pageQuery,
} from '../../schemas.ts';
import { actorOf, manage, workspaceOf } from './common.ts';

const conflict = { 409: commonErrors[404] };

export const webhookManagementRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { storage, clock, config } = deps;
    const ctx: WebhookContext = {
      storage,
      clock,
      policy: { allowHttp: config.webhookAllowHttp, allowPrivate: config.webhookAllowPrivate },
    };
    const present = (row: Parameters<typeof presentEndpoint>[0]) => presentEndpoint(row, clock.now());
    const presentOne = async (row: Parameters<typeof presentDeliveries>[1][number]) =>
      (await presentDeliveries(storage, [row]))[0]!;

    app.get(
      '/webhooks',
      manage('member', 'List webhook endpoints', {
        querystring: pageQuery,
        response: { 200: listEnvelope(webhookEndpointSchema), ...commonErrors },
      }),
      async (request) => {
        const page = await storage.webhooks.listEndpoints(workspaceOf(request), {
          limit: request.query.limit,
          after: decodeCursor(request.query.cursor),
        });
        return {
          data: page.items.map(present),
          next_cursor: page.nextAfter ? encodeCursor(page.nextAfter) : null,
        };
      },
    );

    app.post(
      '/webhooks',
      manage('admin', 'Create a webhook endpoint (the signing secret is in this response only)', {
        body: createWebhookBody,
        response: { 201: dataEnvelope(webhookWithSecretSchema), ...commonErrors },
      }),
      async (request, reply) => {
        const row = await createEndpoint(ctx, workspaceOf(request), request.body, actorOf(request));
        return reply.code(201).send({ data: { ...present(row), secret: row.secret } });
      },
    );

    app.get(
      '/webhooks/:id',
      manage('member', 'Get a webhook endpoint', {
        params: idParams,
        response: { 200: dataEnvelope(webhookEndpointSchema), ...commonErrors },
      }),
      async (request) => ({
        data: present(await findEndpoint(ctx, workspaceOf(request), request.params.id)),
      }),
    );

    app.patch(
      '/webhooks/:id',
      manage(
        'admin',
        'Change the URL, events, description or enabled flag (enabling clears an automatic disable)',
        {
          params: idParams,
          body: patchWebhookBody,
          response: { 200: dataEnvelope(webhookEndpointSchema), ...commonErrors },
        },
      ),
      async (request) => ({
        data: present(
          await updateEndpoint(ctx, workspaceOf(request), request.params.id, request.body, actorOf(request)),
        ),
      }),
    );

    app.delete(
      '/webhooks/:id',
      manage('admin', 'Delete a webhook endpoint and its delivery log', {
        params: idParams,
        response: { 200: deletedResponse, ...commonErrors },
      }),
      async (request) => {
        await deleteEndpoint(ctx, workspaceOf(request), request.params.id, actorOf(request));
        return { data: { id: request.params.id, deleted: true as const } };
      },
    );

    app.get(
      '/webhooks/:id/deliveries',
      manage('member', 'The delivery log: attempts, response status and time, truncated response body', {
        params: idParams,
        querystring: deliveriesQuery,
        response: { 200: listEnvelope(webhookDeliverySchema), ...commonErrors },
      }),
      async (request) => {
        const ws = workspaceOf(request);
        await findEndpoint(ctx, ws, request.params.id);
        const { status, event_type: eventType, limit, cursor } = request.query;
        const page = await storage.webhooks.listDeliveries(
          ws,
          request.params.id,
          { status, eventType },
          { limit, after: decodeCursor(cursor) },
        );
        return {
          data: await presentDeliveries(storage, page.items),
          next_cursor: page.nextAfter ? encodeCursor(page.nextAfter) : null,
        };
      },
    );

    app.post(
      '/webhooks/:id/test',
      manage('admin', 'Queue a webhook.test event to this endpoint (sent within a second)', {
        params: idParams,
        response: { 202: dataEnvelope(webhookDeliverySchema), ...commonErrors, ...conflict },
      }),
      async (request, reply) => {
        const delivery = await sendTestEvent(ctx, workspaceOf(request), request.params.id, actorOf(request));
        return reply.code(202).send({ data: await presentOne(delivery) });
      },
    );

    app.post(
      '/webhooks/:id/deliveries/:delivery_id/redeliver',
      manage('admin', "Send a delivery's event again (same webhook-id), as a new delivery", {
        params: deliveryParams,
        response: { 202: dataEnvelope(webhookDeliverySchema), ...commonErrors, ...conflict },
      }),
      async (request, reply) => {
        const delivery = await redeliver(
          ctx,
          workspaceOf(request),
          request.params.id,
          request.params.delivery_id,
          actorOf(request),
        );
        return reply.code(202).send({ data: await presentOne(delivery) });
      },
    );

    app.post(
      '/webhooks/:id/rotate-secret',
      manage(
        'admin',
        `Replace the signing secret; the old one keeps signing for overlap_seconds (default ${DEFAULT_SECRET_OVERLAP_SECONDS})`,
        {
          params: idParams,
          body: rotateWebhookSecretBody,
          response: { 200: dataEnvelope(webhookWithSecretSchema), ...commonErrors },
        },
      ),
      async (request) => {
        const { row, secret } = await rotateSecret(
          ctx,
          workspaceOf(request),
          request.params.id,
          request.body.overlap_seconds,
          actorOf(request),
        );
        return { data: { ...present(row), secret } };
      },
    );
  };
