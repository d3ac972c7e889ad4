/** Health, readiness and the OpenAPI document in JSON and YAML. */
import type { FastifyInstance } from 'fastify';
import { stringify } from 'yaml';
import type { AppDeps } from '../deps.ts';
import { sendError } from '../plugins/errors.ts';

export function registerSystemRoutes(app: FastifyInstance, deps: AppDeps): void {
  const hide = { hide: true };
  app.get('/healthz', { schema: hide }, async () => ({ data: { ok: true } }));

  app.get('/readyz', { schema: hide }, async (_request, reply) => {
    const checks: Record<string, 'ok' | 'unreachable'> = {};
    checks.database = await deps.storage.ping().then(
      () => 'ok' as const,
      () => 'unreachable' as const,
    );
    if (deps.redisPing) {
      checks.redis = await deps.redisPing().then(
        () => 'ok' as const,
        () => 'unreachable' as const,
      );
    }
    if (Object.values(checks).every((v) => v === 'ok')) return { data: { ok: true, checks } };
    reply.header('retry-after', '5');
    return sendError(reply, 'ERR_UNAVAILABLE', 'A dependency is unreachable.', { checks });
  });

  app.get('/openapi.json', { schema: hide }, async () => app.swagger());
  app.get('/openapi.yaml', { schema: hide }, async (_request, reply) =>
    reply.type('application/yaml; charset=utf-8').send(stringify(app.swagger())),
  );
}
