/**
 * Webhook endpoints for private integrations: list, create (the signing secret shown once), read,
 * change, delete, and the delivery log. Integration tokens only: an API key is refused with a
 * pointer to private integrations.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Actor } from '../../../audit/record.ts';
import { type RequiredScope, scopeSatisfies } from '../../../core/scopes.ts';
import type { AppDeps } from '../../deps.ts';
import { sendError } from '../../plugins/errors.ts';
import { webhookEndpointRoutes } from '../webhook-endpoints.ts';
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

export const webhookRoutes = (deps: AppDeps): FastifyPluginAsyncZod =>
  webhookEndpointRoutes(deps, {
    options: (access, summary, schema) =>
      route(access === 'read' ? 'webhooks:read' : 'webhooks:write', summary, schema),
    workspaceOf,
    actorOf,
    summaries: {
      list: 'List webhook endpoints',
      create: 'Create a webhook endpoint (the secret is in this response only)',
      get: 'Get a webhook endpoint',
      update: 'Change the URL, events, description or enabled flag',
      remove: 'Delete a webhook endpoint and its delivery log',
      deliveries: 'The delivery log of an endpoint, newest first',
    },
  });
