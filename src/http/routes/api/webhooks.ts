/**
 * Webhook endpoints in the dashboard: members read (endpoints, delivery log), admins change them,
 * rotate the signing secret, send a test event and redeliver.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  DEFAULT_SECRET_OVERLAP_SECONDS,
  deliveryParams,
  rotateWebhookSecretBody,
  webhookDeliverySchema,
  webhookWithSecretSchema,
} from '../../../contract/webhooks.ts';
import { rotateSecret } from '../../../webhooks/endpoints.ts';
import { presentDeliveries } from '../../../webhooks/present.ts';
import { redeliver, sendTestEvent } from '../../../webhooks/resend.ts';
import type { AppDeps } from '../../deps.ts';
import { commonErrors, dataEnvelope, idParams } from '../../schemas.ts';
import { webhookEndpointRoutes, webhookEndpointRoutesOf } from '../webhook-endpoints.ts';
import { actorOf, manage, workspaceOf } from './common.ts';

const conflict = { 409: commonErrors[404] };

export const webhookManagementRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { storage } = deps;
    const endpoints = webhookEndpointRoutesOf(deps);
    const { ctx, present } = endpoints;
    const presentOne = async (row: Parameters<typeof presentDeliveries>[1][number]) =>
      (await presentDeliveries(storage, [row]))[0]!;

    // Registered first, so the routes keep their order in the OpenAPI document.
    await app.register(
      webhookEndpointRoutes(deps, {
        options: (access, summary, schema) => manage(access === 'read' ? 'member' : 'admin', summary, schema),
        workspaceOf,
        actorOf,
        summaries: {
          list: 'List webhook endpoints',
          create: 'Create a webhook endpoint (the signing secret is in this response only)',
          get: 'Get a webhook endpoint',
          update:
            'Change the URL, events, description or enabled flag (enabling clears an automatic disable)',
          remove: 'Delete a webhook endpoint and its delivery log',
          deliveries: 'The delivery log: attempts, response status and time, truncated response body',
        },
      }),
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
