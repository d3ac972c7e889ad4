/** Health, readiness and the OpenAPI document in JSON and YAML. */
import type { FastifyInstance } from 'fastify';
import { stringify } from 'yaml';
import type { AppDeps } from '../deps.ts';
import type { Drain } from '../plugins/drain.ts';
import { sendError } from '../plugins/errors.ts';

export function registerSystemRoutes(app: FastifyInstance, deps: AppDeps, drain: Drain): void {
  const hide = { hide: true };
  app.get('/healthz', { schema: hide }, async () => ({ data: { ok: true } }));

  // Readiness: what a load balancer asks. Each check answers within READY_CHECK_MS, so a stalled
  // dependency makes /readyz say so quickly instead of hanging with it.
  app.get('/readyz', { schema: hide }, async (_request, reply) => {
    if (drain.draining) return sendError(reply, 'ERR_UNAVAILABLE', 'The server is shutting down.');
    const [database, redis] = await Promise.all([
      check(() => deps.storage.ping()),
      deps.redisPing ? check(deps.redisPing) : undefined,
    ]);
    const checks = redis ? { database, redis } : { database };
    if (database === 'ok' && (redis === undefined || redis === 'ok'))
      return { data: { ok: true, status: 'ok', checks } };
    // Without Redis an instance still serves when KEYWARD_REDIS_FAILURE=open (docs/operations.md).
    if (database === 'ok' && deps.config.redisFailure === 'open')
      return { data: { ok: true, status: 'degraded', checks } };
    return sendError(reply, 'ERR_UNAVAILABLE', 'A dependency is unreachable.', {
      status: 'unavailable',
      checks,
    });
  });

  app.get('/openapi.json', { schema: hide }, async () => app.swagger());
  // The document reuses objects (one header schema on many responses): written out in full, not as
  // YAML anchors and aliases, which many tools refuse past a hundred (a "billion laughs" guard).
  let yaml: string | undefined;
  app.get('/openapi.yaml', { schema: hide }, async (_request, reply) => {
    yaml ??= stringify(app.swagger(), { aliasDuplicateObjects: false });
    return reply.type('application/yaml; charset=utf-8').send(yaml);
  });
}

const READY_CHECK_MS = 1_000;

/** `ok`, or `unreachable` when the probe fails or takes longer than READY_CHECK_MS. */
async function check(probe: () => Promise<unknown>): Promise<'ok' | 'unreachable'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'unreachable'>((resolve) => {
    timer = setTimeout(() => resolve('unreachable'), READY_CHECK_MS);
  });
  try {
    return await Promise.race([
      probe().then(
        () => 'ok' as const,
        () => 'unreachable' as const,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
