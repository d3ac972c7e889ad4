/**
 * `keyward/fastify`: protect the routes of your own Fastify API with Keyward keys.
 *
 *     await app.register(keyward, { url: 'https://keys.example.com', token: process.env.KEYWARD_VERIFY_TOKEN });
 *     // or, in process over Keyward's database: await app.register(keyward, { databaseUrl, redisUrl });
 *     app.get('/contacts', { config: { scope: 'contacts:read' } }, (request) => request.keyward.workspaceId);
 *
 * Every route registered after it (in the same or a child context) that declares `config.scope`
 * (a catalogue scope, or `'any'`) is authenticated exactly as Keyward's own /v1 routes are: the same
 * refusals, envelope and headers (X-RateLimit-*, Retry-After, Sunset, X-Token-Expires-At), the same
 * failure budget per client address, and (in process) usage recorded in batches. Routes without a
 * scope are left alone. `app.keyward.close()` runs on the app's close: usage is flushed.
 */
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestAsyncHookHandler,
  onSendHookHandler,
  preValidationAsyncHookHandler,
} from 'fastify';
import { type AuthCredential, Authenticator, type AuthIo } from '../auth/authenticate.ts';
import { rateLimitHeaders } from '../core/outcome.ts';
import type { RequiredScope } from '../core/scopes.ts';
import { addRouteHook } from '../http/route-hooks.ts';
import {
  answerFailure,
  type Backend,
  identityOf,
  type KeywardIdentity,
  type KeywardOptions,
  startBackend,
} from './core.ts';

export type { InProcessOptions, KeywardIdentity, KeywardOptions, RemoteOptions } from './core.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route requires; `any` accepts every valid credential. */
    scope?: RequiredScope | 'any';
  }
  interface FastifyRequest {
    /** The caller, on routes that declare `config.scope` (set before the handler runs). */
    keyward: KeywardIdentity;
  }
  interface FastifyInstance {
    /** The Keyward plugin's backend; closed with the app. */
    keyward: { close(): Promise<void> };
  }
}

// Per-request state, kept under symbols of our own: public request decoration stays `keyward`.
const kCredential = Symbol('keyward.credential');
const kAt = Symbol('keyward.at');
const kStart = Symbol('keyward.start');
type Marked = FastifyRequest & { [kCredential]?: AuthCredential; [kAt]?: number; [kStart]?: number };

const io: AuthIo<FastifyRequest, FastifyReply> = {
  ip: (request) => request.ip,
  header: (request, name) => request.headers[name] as string | undefined,
  url: (request) => request.url,
  setRateLimit: (reply, state, now, limited) => {
    reply.headers(rateLimitHeaders(state, now, limited));
  },
  setHeader: (reply, name, value) => {
    reply.header(name, value);
  },
  refuse: (reply, status, error) => {
    reply.code(status).type('application/json; charset=utf-8').send({ error });
  },
  identified: (request, credential, now) => {
    (request as Marked)[kCredential] = credential;
    (request as Marked)[kAt] = now;
    request.keyward = identityOf(credential);
  },
};

const BODYLESS = new Set(['GET', 'HEAD', 'TRACE']);

async function keyward(app: FastifyInstance, options: KeywardOptions): Promise<void> {
  const backend: Backend = await startBackend(options);
  const authenticator = new Authenticator(backend.deps, io);
  const { clock, record } = backend;
  app.decorate('keyward', { close: () => backend.close() });
  app.addHook('onClose', async () => backend.close());
  app.decorateRequest('keyward', null as unknown as KeywardIdentity);

  app.addHook('onRoute', (route) => {
    const scope = route.config?.scope;
    if (!scope) return;
    const required = scope === 'any' ? undefined : scope;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const bodyMayFollow = methods.some((m) => !BODYLESS.has(m));
    const pattern = route.url;
    const onRequest: onRequestAsyncHookHandler = async (request, reply) => {
      (request as Marked)[kStart] = performance.now();
      try {
        if (!(await authenticator.authenticate(request, reply, clock.now(), required, bodyMayFollow)))
          return reply;
      } catch (err) {
        answerFailure(io, reply, err);
        return reply;
      }
    };
    addRouteHook(route, 'onRequest', onRequest, 'first');
    if (bodyMayFollow) {
      const bodyCheck: preValidationAsyncHookHandler = async (request, reply) => {
        if ((request as Marked)[kCredential] !== undefined) return;
        await authenticator
          .checkBody(request, reply, clock.now(), request.body)
          .catch((err: unknown) => answerFailure(io, reply, err));
        return reply;
      };
      addRouteHook(route, 'preValidation', bodyCheck, 'first');
    }
    if (record) {
      const onSend: onSendHookHandler = (request, reply, payload, done) => {
        const credential = (request as Marked)[kCredential];
        if (credential !== undefined)
          record({
            credentialId: credential.credentialId,
            workspaceId: credential.workspaceId,
            ip: request.ip,
            at: (request as Marked)[kAt]!,
            method: request.method,
            route: pattern,
            status: reply.statusCode,
            latencyMs: performance.now() - ((request as Marked)[kStart] ?? performance.now()),
          });
        done(null, payload);
      };
      addRouteHook(route, 'onSend', onSend, 'last');
    }
  });
}

// Not encapsulated: the hooks apply to the routes of the context that registers the plugin (what
// fastify-plugin does, through the same documented symbol).
const plugin = Object.assign(keyward, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'keyward',
});

export default plugin;
export { plugin as keyward };
