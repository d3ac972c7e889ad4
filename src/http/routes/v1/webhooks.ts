/**
 * Webhook endpoints for private integrations: list, create (the signing secret shown once), read,
 * change, delete, and the delivery log. Integration tokens only: an API key is refused with a
 * pointer to private integrations.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Actor } from '../../../audit/record.ts';
import {
  createWebhookBody,
  deliveriesQuery,
  patchWebhookBody,
  webhookDeliverySchema,
  webhookEndpointSchema,
  webhookWithSecretSchema,
} from '../../../contract/webhooks.ts';
import { type RequiredScope, scopeSatisfies } from '../../../core/scopes.ts';
import type { AppDeps } from '../../deps.ts';
import { sendError } from '../../plugins/errors.ts';
import {
  commonErrors,
  dataEnvelope,
  deletedResponse,
  idParams,
  listEnvelope,
  pageQuery,
} from '../../schemas.ts';
import { webhookEndpointRoutesOf } from '../webhook-endpoints.ts';
import { bearerRoute } from './route.ts';

const API_KEY_REFUSED =
  'Webhooks belong to private integrations: API keys cannot manage them. Create a private integration with the ' +
  'webhooks:read / webhooks:write scopes (dashboard → Integrations, or POST /api/integrations) and call this ' +
  'endpoint with its token. See docs/integrations.md.';

/**
 * Runs after bearer authentication (which, with scope `any`, only checks the credential): refuses API
 * keys whatever their scope, then applies the endpoint's scope exactly as the auth hook would.
 */
const integrationOnly = (scope: RequiredScope) => async (request: FastifyRequest, reply: FastifyReply) => {
  const credential = request.credential;
  // No credential yet: a body without an Authorization header, which the auth hook refuses next.
  if (!credential) return;
  if (credential.kind === 'api_key') return sendError(reply, 'ERR_FORBIDDEN', API_KEY_REFUSED);
  if (!scopeSatisfies(credential.scopes, scope)) {
    return sendError(reply, 'ERR_SCOPE_INSUFFICIENT', `This endpoint requires the ${scope} scope.`, {
      required: scope,
    });
  }
};

const route = <S extends object>(scope: RequiredScope, summary: string, schema: S) => ({
  ...bearerRoute('any', 'webhooks', `${summary} (integration tokens, ${scope})`, schema),
  onRequest: integrationOnly(scope),
});

const actorOf = (request: FastifyRequest): Actor => ({
  type: 'credential',
  id: request.credential!.credentialId,
  label: request.credential!.name,
  ip: request.ip,
});

const workspaceOf = (request: FastifyRequest): string => request.credential!.workspaceId;

export const webhookRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const endpoints = webhookEndpointRoutesOf(deps);

    app.get(
      '/webhooks',
      route('webhooks:read', 'List webhook endpoints', {
        querystring: pageQuery,
        response: { 200: listEnvelope(webhookEndpointSchema), ...commonErrors },
      }),
      async (request) => endpoints.list(workspaceOf(request), request.query),
    );

    app.post(
      '/webhooks',
      route('webhooks:write', 'Create a webhook endpoint (the secret is in this response only)', {
        body: createWebhookBody,
        response: { 201: dataEnvelope(webhookWithSecretSchema), ...commonErrors },
      }),
      async (request, reply) =>
        reply.code(201).send(await endpoints.create(workspaceOf(request), request.body, actorOf(request))),
    );

    app.get(
      '/webhooks/:id',
      route('webhooks:read', 'Get a webhook endpoint', {
        params: idParams,
        response: { 200: dataEnvelope(webhookEndpointSchema), ...commonErrors },
      }),
      async (request) => endpoints.get(workspaceOf(request), request.params.id),
    );

    app.patch(
      '/webhooks/:id',
      route('webhooks:write', 'Change the URL, events, description or enabled flag', {
        params: idParams,
        body: patchWebhookBody,
        response: { 200: dataEnvelope(webhookEndpointSchema), ...commonErrors },
      }),
      async (request) =>
        endpoints.update(workspaceOf(request), request.params.id, request.body, actorOf(request)),
    );

    app.delete(
      '/webhooks/:id',
      route('webhooks:write', 'Delete a webhook endpoint and its delivery log', {
        params: idParams,
        response: { 200: deletedResponse, ...commonErrors },
      }),
      async (request) => endpoints.remove(workspaceOf(request), request.params.id, actorOf(request)),
    );

    app.get(
      '/webhooks/:id/deliveries',
      route('webhooks:read', 'The delivery log of an endpoint, newest first', {
        params: idParams,
        querystring: deliveriesQuery,
        response: { 200: listEnvelope(webhookDeliverySchema), ...commonErrors },
      }),
      async (request) => endpoints.deliveries(workspaceOf(request), request.params.id, request.query),
    );
  };
