/** GET /v1/ping: proves a credential works and says whose it is. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pingResponse } from '../../../contract/public.ts';
import { commonErrors } from '../../schemas.ts';

export const pingRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/ping',
    {
      config: { scope: 'any' },
      schema: {
        tags: ['public'],
        summary: 'Check a credential',
        security: [{ bearerAuth: [] }],
        response: { 200: pingResponse, ...commonErrors },
      },
    },
    (request, reply) => {
      const c = request.credential!;
      reply.send({
        data: {
          ok: true as const,
          workspace_id: c.workspaceId,
          credential: { id: c.credentialId, kind: c.kind, name: c.name, scopes: c.scopes as string[] },
        },
      });
    },
  );
};
