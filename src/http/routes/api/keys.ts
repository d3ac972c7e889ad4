/** API keys in the management API: create (secret once), list, get, revoke, expire, delete. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Actor } from '../../../audit/record.ts';
import { createKeyBody, credentialSchema, withSecret } from '../../../contract/credentials.ts';
import { createApiKey } from '../../../credentials/api-keys.ts';
import { presentCredential } from '../../../credentials/present.ts';
import type { AppDeps } from '../../deps.ts';
import { commonErrors, dataEnvelope, idParams } from '../../schemas.ts';
import { actorOf, manage, workspaceOf } from './common.ts';
import { credentialRoutesOf, sharedCredentialRoutes } from './credential-routes.ts';

/** Mints a key from a create body, answered as POST /api/keys answers (the admin API's too). */
export async function issueApiKey(
  deps: AppDeps,
  workspaceId: string,
  body: z.infer<typeof createKeyBody>,
  actor: Actor,
) {
  const issued = await createApiKey(
    deps.credentials,
    {
      workspaceId,
      name: body.name,
      description: body.description,
      scope: body.scope,
      expiresAt: body.expires_at ? Date.parse(body.expires_at) : undefined,
      rateLimit: body.rate_limit,
    },
    actor,
  );
  return {
    data: {
      ...presentCredential(issued.credential, issued.secrets, deps.clock.now()),
      secret: issued.secret,
    },
  };
}

export const keyRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const keys = credentialRoutesOf(deps, 'api_key');
    const shared = sharedCredentialRoutes(app, deps, 'api_key', '/keys');

    shared.list('List API keys');

    app.post(
      '/keys',
      manage('admin', 'Create an API key (the secret is in this response only)', {
        body: createKeyBody,
        response: { 201: dataEnvelope(withSecret), ...commonErrors },
      }),
      async (request, reply) =>
        reply.code(201).send(await issueApiKey(deps, workspaceOf(request), request.body, actorOf(request))),
    );

    shared.get('Get an API key');

    app.post(
      '/keys/:id/revoke',
      manage('admin', 'Revoke an API key for good', {
        params: idParams,
        response: { 200: dataEnvelope(credentialSchema), ...commonErrors },
      }),
      async (request) => keys.revoke(workspaceOf(request), request.params.id, actorOf(request)),
    );

    shared.expire('Expire an API key now, or at `at`');
    shared.remove('Delete an API key (its secret stops working at once)');
  };
