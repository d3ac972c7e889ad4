/**
 * Bearer authentication for the routes of one context (Keyward's /v1) that declare `config.scope`:
 * one verification per request, rate-limit headers on every credentialed answer, and throttling of
 * failed attempts per IP. The decisions are `auth/authenticate.ts`'s (shared with the
 * keyward/fastify and keyward/express middlewares); this file is Keyward's own Fastify adapter.
 */
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestAsyncHookHandler,
  preValidationAsyncHookHandler,
} from 'fastify';
import { Authenticator, type AuthIo } from '../../auth/authenticate.ts';
import type { CachedCredential } from '../../cache/credential-cache.ts';
import { bearerSecret, type RateLimitState, rateLimitHeaders } from '../../core/outcome.ts';
import type { RequiredScope } from '../../core/scopes.ts';
import type { AppDeps } from '../deps.ts';
import { addRouteHook } from '../route-hooks.ts';
import { JSON_UTF8 } from '../schemas.ts';
import { stampStart } from './observe.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route requires; `any` accepts every valid credential. */
    scope?: RequiredScope | 'any';
  }
  interface FastifyRequest {
    credential: CachedCredential | undefined;
    /** When the credential was verified (the time usage records for this request). */
    credentialAt: number;
  }
}

/** The rate-limit headers of a credentialed answer, and Retry-After when it is refused for the limit. */
export function setRateLimitHeaders(
  reply: FastifyReply,
  state: RateLimitState,
  now: number,
  limited: boolean,
): void {
  reply.headers(rateLimitHeaders(state, now, limited));
}

/** Keyward's own Fastify app as the neutral authenticator sees it (`auth/authenticate.ts`). */
const serverIo: AuthIo<FastifyRequest, FastifyReply> = {
  ip: (request) => request.ip,
  header: (request, name) => request.headers[name] as string | undefined,
  url: (request) => request.url,
  setRateLimit: setRateLimitHeaders,
  setHeader: (reply, name, value) => {
    reply.header(name, value);
  },
  refuse: (reply, status, error) => {
    reply.code(status).type(JSON_UTF8).send({ error });
  },
  identified: (request, credential, now) => {
    request.credential = credential as CachedCredential;
    request.credentialAt = now;
  },
};

const BODYLESS = new Set(['GET', 'HEAD', 'TRACE']);

/**
 * Adds bearer authentication to the routes registered after it in `app`'s context that declare
 * `config.scope`. Call it inside an encapsulated context (buildApp's /v1 plugin): routes elsewhere
 * never see these hooks.
 */
export async function registerBearerAuth(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { clock, config } = deps;
  const authenticator = new Authenticator<CachedCredential, FastifyRequest, FastifyReply>(
    {
      verifier: deps.verifier,
      limiter: deps.limiter,
      ipBlocks: deps.ipBlocks,
      prefixes: [config.keyPrefix, config.tokenPrefix],
      failureLimit: config.authFailureLimit,
      onValid: ({ credential, keyBudget }) => {
        if (credential.alertBudgetPercent) deps.usage.budgetCharged(credential, keyBudget);
      },
    },
    serverIo,
  );

  app.decorateRequest('credential', undefined);
  app.decorateRequest('credentialAt', 0);

  /** The onRequest hook of one route: a refused request is answered here and goes no further. */
  const bearerHook = (scope: RequiredScope | 'any', bodyMayFollow: boolean): onRequestAsyncHookHandler => {
    const required = scope === 'any' ? undefined : scope;
    return async (request, reply) => {
      // The first hook of its route: it marks the start for the response observer.
      stampStart(request);
      const goOn = await authenticator.authenticate(request, reply, clock.now(), required, bodyMayFollow);
      if (!goOn) return reply;
    };
  };

  // A request without an Authorization header but with a body: refused once the body is parsed,
  // saying whether the key was in it.
  const bodyCheck: preValidationAsyncHookHandler = async (request, reply) => {
    if (request.credential) return;
    await authenticator.checkBody(request, reply, clock.now(), request.body);
    return reply;
  };

  // The hooks go on the routes that declare a scope, and only there (an onRoute hook, public API):
  // other routes pay nothing, and no request reads `request.routeOptions` to find out.
  app.addHook('onRoute', (route) => {
    const scope = route.config?.scope;
    if (!scope) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const bodyMayFollow = methods.some((m) => !BODYLESS.has(m));
    addRouteHook(route, 'onRequest', bearerHook(scope, bodyMayFollow), 'first');
    if (bodyMayFollow) addRouteHook(route, 'preValidation', bodyCheck, 'first');
  });
}

/**
 * For the not-found handler: an unknown route under /v1 that presented a credential still gets its
 * rate-limit headers (and is charged, as any request of that key). The 404 is answered whatever the
 * key's state.
 */
export function unknownRouteRateLimit(deps: AppDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    if (!header || !request.url.startsWith('/v1/')) return;
    const secret = bearerSecret(header);
    if (secret === undefined) return;
    const now = deps.clock.now();
    const outcome = await deps.verifier.verify(secret, now).catch(() => undefined);
    if (outcome !== undefined && outcome.code !== 'UNAUTHENTICATED')
      setRateLimitHeaders(reply, outcome.ratelimit, now, false);
  };
}

export { bearerSecret };
