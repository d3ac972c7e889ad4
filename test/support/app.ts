/** Builds a real Keyward app over a test database (and Redis, when given) for end-to-end suites. */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { type ConfigInput, loadConfig } from '../../src/config/config.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { type CreateApiKeyInput, createApiKey } from '../../src/credentials/api-keys.ts';
import { buildApp } from '../../src/http/app.ts';
import type { AppDeps } from '../../src/http/deps.ts';
import { compose } from '../../src/server/compose.ts';
import { uniqueName } from './services.ts';
import type { TestDatabase } from './storages.ts';

export interface TestApp {
  app: FastifyInstance;
  deps: AppDeps;
  clock: ManualClock;
  /** Creates a workspace on a plan (default professional). */
  workspace(plan?: string, name?: string): Promise<string>;
  /** Mints an API key and returns its id and secret. */
  key(
    workspaceId: string,
    scope?: string,
    extra?: Partial<CreateApiKeyInput>,
  ): Promise<{ id: string; secret: string }>;
  /** `inject` with the secret as a bearer token and a JSON body. */
  call(
    secret: string | undefined,
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  db: TestDatabase;
  redisUrl?: string | undefined;
  /** Redis namespace, fresh per app unless given: two apps given the same one act as two instances. */
  redisPrefix?: string | undefined;
  config?: Partial<ConfigInput>;
  clock?: ManualClock;
}

export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const clock = options.clock ?? new ManualClock(Date.now());
  const config = loadConfig(
    {},
    { databaseUrl: options.db.url, redisUrl: options.redisUrl, logLevel: 'silent', ...options.config },
  );
  const composed = await compose(config, {
    clock,
    storage: options.db.storage,
    redisPrefix: options.redisUrl ? (options.redisPrefix ?? `${uniqueName('kwtest')}:`) : undefined,
    // Tests drive webhook delivery by hand (test/webhooks), never a background sender.
    webhookWorker: false,
  });
  const app = await buildApp(composed.deps);
  await app.ready();
  const deps = composed.deps;
  return {
    app,
    deps,
    clock,
    async workspace(plan = 'professional', name = 'Acme') {
      return (await deps.storage.workspaces.create({ name, plan }, clock.now())).id;
    },
    async key(workspaceId, scope = 'read:write', extra = {}) {
      const issued = await createApiKey(deps.credentials, { workspaceId, name: 'test key', scope, ...extra });
      return { id: issued.credential.id, secret: issued.secret };
    },
    call(secret, method, url, body) {
      const headers: Record<string, string> = {};
      if (secret) headers.authorization = `Bearer ${secret}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      return app.inject({
        method,
        url,
        headers,
        payload: body === undefined ? undefined : JSON.stringify(body),
      });
    },
    async close() {
      await app.close();
      await composed.close();
    },
  };
}
