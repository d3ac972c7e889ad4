/**
 * Bearer authentication for routes that declare `config.scope`: one verification per request,
 * rate-limit headers on every credentialed answer, and throttling of failed attempts per IP. The
 * decisions are `auth/authenticate.ts`'s (shared with the keyward/fastify and keyward/express
 * middlewares); this file is Keyward's own Fastify adapter for them.
 */

import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestAsyncHookHandler,
  preValidationAsyncHookHandler,
} from 'fastify';
import { Authenticator, type AuthIo } from '../../auth/authenticate.ts';
import { bearerSecret, retryAfterSeconds } from '../../auth/outcome.ts';
import type { CachedCredential } from '../../cache/credential-cache.ts';
import type { RequiredScope } from '../../core/scopes.ts';
import type { BudgetState } from '../../limits/rate-limiter.ts';
import type { AppDeps } from '../deps.ts';
import { addRouteHook } from '../route-hooks.ts';
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
  state: BudgetState,
  now: number,
  limited: boolean,
): void {
  reply.header('x-ratelimit-limit', String(state.limit));
  reply.header('x-ratelimit-remaining', String(state.remaining));
  reply.header('x-ratelimit-reset', String(Math.ceil(state.resetAt / 1000)));
  if (limited) reply.header('retry-after', String(retryAfterSeconds(state.resetAt, now)));
}

export type UnknownRouteHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Keyward's own Fastify app as the neutral authenticator sees it (`auth/authenticate.ts`). */
const serverIo: AuthIo<FastifyRequest, FastifyReply> = {
  ip: (request) => request.ip,
  header: (request, name) => request.headers[name] as string | undefined,
  url: (request) => request.url,
  socket: (request) => request.raw.socket,
  setRateLimit: setRateLimitHeaders,
  setHeader: (reply, name, value) => {
    reply.header(name, value);
  },
  refuse: (reply, status, error) => {
    reply.code(status).type('application/json; charset=utf-8').send({ error });
  },
  identified: (request, credential, now) => {
    request.credential = credential as CachedCredential;
    request.credentialAt = now;
  },
};

/** Adds bearer authentication to every route with `config.scope`; returns the unknown-route hook. */
export function registerBearerAuth(app: FastifyInstance, deps: AppDeps): UnknownRouteHook {
  const { verifier, clock, config } = deps;
  const authenticator = new Authenticator<CachedCredential, FastifyRequest, FastifyReply>(
    {
      verifier,
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
  function bearerHook(scope: RequiredScope | 'any', bodyMayFollow: boolean): onRequestAsyncHookHandler {
    const required = scope === 'any' ? undefined : scope;
    return async (request, reply) => {
      // The first hook of its route: it marks the start for the response observer.
      stampStart(request);
      if (!(await authenticator.authenticate(request, reply, clock.now(), required, bodyMayFollow)))
        return reply;
    };
  }

  // Requests without an Authorization header but with a body: refuse, pointing at the header.
  const bodyCheck: preValidationAsyncHookHandler = async (request, reply) => {
    if (request.credential) return;
    await authenticator.checkBody(request, reply, clock.now(), request.body);
    return reply;
  };

  /**
   * An unknown route under /v1 that presented a credential still gets its rate-limit headers (and
   * is charged, as any request of that key). The 404 is answered whatever the key's state.
   */
  const unknownRoute: UnknownRouteHook = async (request, reply) => {
    const header = request.headers.authorization;
    if (!header || !request.url.startsWith('/v1/')) return;
    const secret = bearerSecret(header);
    if (secret === undefined) return;
    const now = clock.now();
    const outcome = await verifier.verify(secret, now).catch(() => undefined);
    if (outcome !== undefined && outcome.code !== 'UNAUTHENTICATED')
      setRateLimitHeaders(reply, outcome.ratelimit, now, false);
  };

  // Hooks go on the routes that declare a scope, and only there: other routes pay nothing, and no
  // hook has to read `request.routeOptions` (a new object per access) to find out.
  app.addHook('onRoute', (route) => {
    const scope = route.config?.scope;
    if (!scope) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const bodyMayFollow = methods.some((m) => !BODYLESS.has(m));
    addRouteHook(route, 'onRequest', bearerHook(scope, bodyMayFollow), 'first');
    if (bodyMayFollow) addRouteHook(route, 'preValidation', bodyCheck, 'first');
  });
  return unknownRoute;
}

const BODYLESS = new Set(['GET', 'HEAD', 'TRACE']);

export { bearerSecret };
