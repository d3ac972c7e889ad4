/** A workspace's API keys for the operator: the same bodies and answers as /api/keys, through the same code. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createKeyBody, credentialSchema, withSecret } from '../../../contract/credentials.ts';
import { findWorkspace } from '../../../operators/workspaces.ts';
import type { AppDeps } from '../../deps.ts';
import { commonErrors, dataEnvelope, idParams, listEnvelope, pageQuery } from '../../schemas.ts';
import { credentialRoutesOf } from '../api/credential-routes.ts';
import { issueApiKey } from '../api/keys.ts';
import { adminRouteOptions, operatorActor } from './common.ts';

export const adminKeyRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { storage } = deps;
    const admin = adminRouteOptions(deps);
    const keys = credentialRoutesOf(deps, 'api_key');

    app.get(
      '/workspaces/:id/keys',
      admin("List a workspace's API keys", {
        params: idParams,
        querystring: pageQuery,
        response: { 200: listEnvelope(credentialSchema), ...commonErrors },
      }),
      async (request) => {
        const workspace = await findWorkspace(storage, request.params.id);
        return keys.list(workspace.id, request.query);
      },
    );

    app.post(
      '/workspaces/:id/keys',
      admin('Create an API key in a workspace (the secret is in this response only)', {
        params: idParams,
        body: createKeyBody,
        response: { 201: dataEnvelope(withSecret), ...commonErrors },
      }),
      async (request, reply) => {
        const workspace = await findWorkspace(storage, request.params.id);
        const answer = await issueApiKey(deps, workspace.id, request.body, operatorActor(request));
        return reply.code(201).send(answer);
      },
    );

    app.post(
      '/keys/:id/revoke',
      admin('Revoke an API key of any workspace, for good', {
        params: idParams,
        response: { 200: dataEnvelope(credentialSchema), ...commonErrors },
      }),
      async (request) => {
        // The key names its workspace; an unknown key is the same 404 as /api/keys gives.
        const row = await storage.credentials.getById(request.params.id);
        return keys.revoke(row?.workspace_id ?? '', request.params.id, operatorActor(request));
      },
    );
  };
