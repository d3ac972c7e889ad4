/** GET /v1/ping: proves a credential works and says whose it is. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { commonErrors, dataEnvelope } from '../../schemas.ts';

export const pingResponse = dataEnvelope(
  z.object({
    ok: z.literal(true),
    workspace_id: z.string(),
    credential: z.object({
      id: z.string(),
      kind: z.enum(['api_key', 'integration_token']),
      name: z.string(),
      scopes: z.array(z.string()),
    }),
  }),
);

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
    // Not async: a plain reply.send costs no promise per request.
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
