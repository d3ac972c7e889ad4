/** API keys in the management API: create (secret once), list, get, revoke, expire, delete. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createKeyBody, credentialSchema, expireBody, withSecret } from '../../../contract/credentials.ts';
import { createApiKey } from '../../../credentials/api-keys.ts';
import { revokeCredential } from '../../../credentials/lifecycle.ts';
import { presentCredential } from '../../../credentials/present.ts';
import type { AppDeps } from '../../deps.ts';
import {
  commonErrors,
  dataEnvelope,
  deletedResponse,
  idParams,
  listEnvelope,
  pageQuery,
} from '../../schemas.ts';
import { actorOf, manage, workspaceOf } from './common.ts';
import { credentialRoutesOf } from './credential-routes.ts';

export const keyRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { clock, credentials: ctx } = deps;
    const keys = credentialRoutesOf(deps, 'api_key');
    const { present, find } = keys;

    app.get(
      '/keys',
      manage('member', 'List API keys', {
        querystring: pageQuery,
        response: { 200: listEnvelope(credentialSchema), ...commonErrors },
      }),
      async (request) => keys.list(workspaceOf(request), request.query),
    );

    app.post(
      '/keys',
      manage('admin', 'Create an API key (the secret is in this response only)', {
        body: createKeyBody,
        response: { 201: dataEnvelope(withSecret), ...commonErrors },
      }),
      async (request, reply) => {
        const issued = await createApiKey(
          ctx,
          {
            workspaceId: workspaceOf(request),
            name: request.body.name,
            description: request.body.description,
            scope: request.body.scope,
            expiresAt: request.body.expires_at ? Date.parse(request.body.expires_at) : undefined,
            rateLimit: request.body.rate_limit,
          },
          actorOf(request),
        );
        return reply.code(201).send({
          data: {
            ...presentCredential(issued.credential, issued.secrets, clock.now()),
            secret: issued.secret,
          },
        });
      },
    );

    app.get(
      '/keys/:id',
      manage('member', 'Get an API key', {
        params: idParams,
        response: { 200: dataEnvelope(credentialSchema), ...commonErrors },
      }),
      async (request) => ({
        data: await present(await find(workspaceOf(request), request.params.id)),
      }),
    );

    app.post(
      '/keys/:id/revoke',
      manage('admin', 'Revoke an API key for good', {
        params: idParams,
        response: { 200: dataEnvelope(credentialSchema), ...commonErrors },
      }),
      async (request) => {
        const ws = workspaceOf(request);
        await find(ws, request.params.id);
        return { data: await present(await revokeCredential(ctx, ws, request.params.id, actorOf(request))) };
      },
    );

    app.post(
      '/keys/:id/expire',
      manage('admin', 'Expire an API key now, or at `at`', {
        params: idParams,
        body: expireBody,
        response: { 200: dataEnvelope(credentialSchema), ...commonErrors, 409: commonErrors[404] },
      }),
      async (request) =>
        keys.expire(workspaceOf(request), request.params.id, request.body?.at, actorOf(request)),
    );

    app.delete(
      '/keys/:id',
      manage('admin', 'Delete an API key (its secret stops working at once)', {
        params: idParams,
        response: { 200: deletedResponse, ...commonErrors },
      }),
      async (request) => keys.remove(workspaceOf(request), request.params.id, actorOf(request)),
    );
  };
