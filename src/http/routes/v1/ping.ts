/** GET /v1/ping: proves a credential works and says whose it is. */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pingResponse } from '../../../contract/public.ts';
import { commonErrors, JSON_UTF8 } from '../../schemas.ts';

/** The route's own serializer (its response schema), as a string. */
const serializeOnce = (reply: FastifyReply, body: unknown): string => String(reply.serialize(body));

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
    // Not async: a plain reply.send costs no promise per request. The answer depends only on the
    // cached credential, so it is serialized (by this route's schema) once per cache entry.
    (request, reply) => {
      const c = request.credential!;
      c.pingBody ??= serializeOnce(reply, {
        data: {
          ok: true as const,
          workspace_id: c.workspaceId,
          credential: { id: c.credentialId, kind: c.kind, name: c.name, scopes: c.scopes as string[] },
        },
      });
      // A string with its type set is sent as it is (the type provider only knows the object form).
      reply.type(JSON_UTF8).send(c.pingBody as never);
    },
  );
};
