/** Private integrations: CRUD, first token, rotation now/later, expiry — secrets shown once. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  createIntegrationBodyOf,
  credentialSchema,
  patchIntegrationBodyOf,
  rotateBody,
  rotatedSchema,
  withSecret,
} from '../../../contract/credentials.ts';
import { iso } from '../../../core/time.ts';
import {
  createIntegration,
  DEFAULT_GRACE_SECONDS,
  issueIntegrationToken,
  rotateIntegrationToken,
  updateIntegration,
} from '../../../credentials/integrations.ts';
import type { AppDeps } from '../../deps.ts';
import { commonErrors, dataEnvelope, idParams } from '../../schemas.ts';
import { actorOf, manage, workspaceOf } from './common.ts';
import { credentialRoutesOf, sharedCredentialRoutes } from './credential-routes.ts';

const conflict = { 409: commonErrors[404] };

export const integrationRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const ctx = deps.credentials;
    const { present, find } = credentialRoutesOf(deps, 'integration_token');
    const shared = sharedCredentialRoutes(app, deps, 'integration_token', '/integrations');
    const createIntegrationBody = createIntegrationBodyOf(deps.config.catalogue);
    const patchIntegrationBody = patchIntegrationBodyOf(deps.config.catalogue);

    shared.list('List private integrations');

    app.post(
      '/integrations',
      manage('admin', 'Create a private integration (then generate its token)', {
        body: createIntegrationBody,
        response: { 201: dataEnvelope(credentialSchema), ...commonErrors },
      }),
      async (request, reply) => {
        const row = await createIntegration(
          ctx,
          { workspaceId: workspaceOf(request), ...request.body },
          actorOf(request),
        );
        return reply.code(201).send({ data: await present(row) });
      },
    );

    shared.get('Get a private integration');

    app.patch(
      '/integrations/:id',
      manage('admin', 'Update name, description or scopes (effective on the next request)', {
        params: idParams,
        body: patchIntegrationBody,
        response: { 200: dataEnvelope(credentialSchema), ...commonErrors },
      }),
      async (request) => {
        const ws = workspaceOf(request);
        await find(ws, request.params.id);
        return {
          data: await present(
            await updateIntegration(ctx, ws, request.params.id, request.body, actorOf(request)),
          ),
        };
      },
    );

    shared.remove('Delete a private integration (its tokens stop working at once)');

    app.post(
      '/integrations/:id/token',
      manage('admin', 'Generate the first token (the secret is in this response only)', {
        params: idParams,
        response: { 201: dataEnvelope(withSecret), ...commonErrors, ...conflict },
      }),
      async (request, reply) => {
        const ws = workspaceOf(request);
        await find(ws, request.params.id);
        const { row, secret } = await issueIntegrationToken(ctx, ws, request.params.id, actorOf(request));
        return reply.code(201).send({ data: { ...(await present(row)), secret } });
      },
    );

    app.post(
      '/integrations/:id/rotate',
      manage('admin', 'Rotate the token now, or later with a grace period (default 7 days, at most 30)', {
        params: idParams,
        body: rotateBody,
        response: { 200: dataEnvelope(rotatedSchema), ...commonErrors, ...conflict },
      }),
      async (request) => {
        const ws = workspaceOf(request);
        await find(ws, request.params.id);
        const grace = request.body.grace_seconds ?? DEFAULT_GRACE_SECONDS;
        const r = await rotateIntegrationToken(
          ctx,
          ws,
          request.params.id,
          request.body.mode,
          grace,
          actorOf(request),
        );
        return {
          data: {
            ...(await present(r.row)),
            secret: r.secret,
            previous_valid_until: iso(r.previousValidUntil),
          },
        };
      },
    );

    shared.expire('Expire the integration now, or at `at`');
  };
