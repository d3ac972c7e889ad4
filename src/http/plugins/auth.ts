/**
 * Bearer authentication for routes that declare `config.scope`: one verification per request,
 * rate-limit headers on every credentialed answer, and throttling of failed attempts per IP.
 */

import { createRequire } from 'node:module';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  onRequestHookHandler,
  preValidationHookHandler,
} from 'fastify';
import type { CachedCredential } from '../../cache/credential-cache.ts';
import { ERRORS, type ErrorCode } from '../../core/errors.ts';
import type { RequiredScope } from '../../core/scopes.ts';
import { memoOfConnection } from '../../credentials/secret-memo.ts';
import type { VerifyCode, VerifyResult } from '../../credentials/verify.ts';
import type { Budget, BudgetState } from '../../limits/rate-limiter.ts';
import { budgetAlert } from '../../usage/alerts.ts';
import type { AppDeps } from '../deps.ts';
import { addRouteHook } from '../route-hooks.ts';
import { authFailureCounter, sendTooManyFailures } from './auth-failures.ts';
import { sendError } from './errors.ts';
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

const CODE_TO_ERROR: Record<Exclude<VerifyCode, 'VALID'>, ErrorCode> = {
  UNAUTHENTICATED: 'ERR_UNAUTHENTICATED',
  KEY_EXPIRED: 'ERR_KEY_EXPIRED',
  KEY_REVOKED: 'ERR_KEY_REVOKED',
  PLAN_REQUIRED: 'ERR_PLAN_REQUIRED',
  SCOPE_INSUFFICIENT: 'ERR_SCOPE_INSUFFICIENT',
  RATE_LIMITED: 'ERR_RATE_LIMITED',
};

const USE_HEADER = 'Send the API key in the Authorization header: "Authorization: Bearer <key>".';
const WRONG_PLACE = `API keys are not accepted in query parameters, cookies or the body. ${USE_HEADER}`;

/**
 * Fastify keeps a reply's headers in a plain object under this symbol. `reply.header()` lower-cases
 * each name (~450 instructions) and stores it by a megamorphic keyed store; the rate-limit headers go
 * on every credentialed response with names already in lower case, so they are put there directly.
 * Without the symbol (a Fastify that renamed it) `reply.header` is used; one that kept the symbol but
 * stopped sending that object would fail every rate-limit header test.
 */
const symbols = createRequire(import.meta.url)('fastify/lib/symbols.js') as { kReplyHeaders?: unknown };
const kReplyHeaders = typeof symbols.kReplyHeaders === 'symbol' ? symbols.kReplyHeaders : undefined;
/**
 * The rate-limit header writer for replies whose header object is kept under `key` (Fastify's
 * `kReplyHeaders`), or through `reply.header` when there is no such key. Exported for the test
 * that checks both give the same answer.
 */
export function rateLimitHeaderWriter(key: symbol | undefined) {
  return function setRateLimitHeaders(
    reply: FastifyReply,
    state: BudgetState,
    now: number,
    limited: boolean,
  ): void {
    // Strings, not numbers: Node validates each header value with a regular expression, whose test
    // converts a number again on a slower path.
    const limit = String(state.limit);
    const remaining = String(state.remaining);
    const reset = String(Math.ceil(state.resetAt / 1000));
    const headers =
      key === undefined
        ? undefined
        : (reply as unknown as Record<symbol, Record<string, string> | undefined>)[key];
    if (headers !== undefined) {
      headers['x-ratelimit-limit'] = limit;
      headers['x-ratelimit-remaining'] = remaining;
      headers['x-ratelimit-reset'] = reset;
    } else {
      reply.header('x-ratelimit-limit', limit);
      reply.header('x-ratelimit-remaining', remaining);
      reply.header('x-ratelimit-reset', reset);
    }
    if (limited) reply.header('retry-after', String(Math.max(1, Math.ceil((state.resetAt - now) / 1000))));
  };
}

export const setRateLimitHeaders = rateLimitHeaderWriter(kReplyHeaders);

export type UnknownRouteHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Adds bearer authentication to every route with `config.scope`; returns the unknown-route hook. */
export function registerBearerAuth(app: FastifyInstance, deps: AppDeps): UnknownRouteHook {
  const { verifier, limiter, clock, config, ipBlocks } = deps;
  const prefixes = [config.keyPrefix, config.tokenPrefix];
  const failureLimit = config.authFailureLimit;

  const looksLikeSecret = (value: unknown): boolean =>
    typeof value === 'string' && prefixes.some((p) => value.startsWith(p));
  const anyValueLooksLikeSecret = (record: unknown): boolean =>
    typeof record === 'object' && record !== null && Object.values(record).some(looksLikeSecret);

  const cookieHoldsSecret = (cookie: string | undefined): boolean =>
    cookie !== undefined && prefixes.some((p) => cookie.includes(`=${p}`));

  const countFailure = authFailureCounter(deps);

  /**
   * A credential was presented and failed (unknown, or sent the wrong way): it counts against the
   * client's failure budget, whose state the rate-limit headers report.
   */
  async function refuse(request: FastifyRequest, reply: FastifyReply, now: number, message: string) {
    if (!(await countFailure(request, reply, now))) return sendTooManyFailures(reply);
    return sendError(reply, 'ERR_UNAUTHENTICATED', message);
  }

  /** Refuses a blocked address, unless the request carries a known, active key (a shared NAT address). */
  function ipBlocked(request: FastifyRequest, reply: FastifyReply, now: number, header: string | undefined) {
    const until = ipBlocks.blockedUntil(request.ip, now);
    if (until === undefined) return false;
    const secret = header === undefined ? undefined : bearerSecret(header);
    if (secret !== undefined && verifier.knownActive(secret, now)) return false;
    setRateLimitHeaders(
      reply,
      { key: '', limit: failureLimit.limit, remaining: 0, resetAt: until },
      now,
      true,
    );
    sendTooManyFailures(reply);
    return true;
  }

  // Alerts already queued by this instance, so a busy key does not queue one per request.
  const alerted = new Map<string, number>();
  function checkBudgetAlert(entry: CachedCredential, state: BudgetState): void {
    const threshold = entry.alertBudgetPercent!;
    if ((state.limit - state.remaining) * 100 < threshold * state.limit) return;
    if (alerted.get(entry.credentialId) === state.resetAt) return;
    alerted.set(entry.credentialId, state.resetAt);
    const windowStart = state.resetAt - entry.keyLimit.windowMs;
    deps.usage.alert(
      budgetAlert({
        workspaceId: entry.workspaceId,
        credentialId: entry.credentialId,
        thresholdPercent: threshold,
        limit: state.limit,
        remaining: state.remaining,
        resetAt: state.resetAt,
        windowStart,
      }),
    );
  }

  app.decorateRequest('credential', undefined);
  app.decorateRequest('credentialAt', 0);

  /** What a verification decided, once the rate-limit headers are set: pass, or answer with an error. */
  function conclude(
    result: VerifyResult,
    request: FastifyRequest,
    reply: FastifyReply,
    now: number,
    scope: RequiredScope | 'any',
    done: HookHandlerDoneFunction,
  ): void {
    if (result.ratelimit) setRateLimitHeaders(reply, result.ratelimit, now, result.code === 'RATE_LIMITED');
    // Set for every identified credential, so failed calls (403, 429) appear in its usage too.
    request.credential = result.credential;
    request.credentialAt = now;
    if (result.code === 'VALID') {
      const credential = result.credential!;
      if (result.keyBudget && credential.alertBudgetPercent) checkBudgetAlert(credential, result.keyBudget);
      // A token replaced by "rotate later" still works; tell its caller until when.
      const endsAt = credential.secretEndsAt;
      if (endsAt !== null) {
        reply.header('sunset', new Date(endsAt).toUTCString());
        reply.header('x-token-expires-at', new Date(endsAt).toISOString());
      }
      done();
      return;
    }
    if (result.code === 'UNAUTHENTICATED') {
      refuse(request, reply, now, `The API key is not valid. ${USE_HEADER}`).catch(done);
      return;
    }
    if (result.code === 'SCOPE_INSUFFICIENT') {
      sendError(reply, 'ERR_SCOPE_INSUFFICIENT', `This endpoint requires the ${scope} scope.`, {
        required: scope,
      });
      return;
    }
    if (result.code === 'RATE_LIMITED') {
      sendError(reply, 'ERR_RATE_LIMITED', `Rate limit exceeded for this ${result.limitedBy}.`, {
        limit: result.limitedBy,
      });
      return;
    }
    const code = CODE_TO_ERROR[result.code];
    const message = ERRORS[code].message.replace(
      'API key',
      result.credential?.kind === 'integration_token' ? 'integration token' : 'API key',
    );
    sendError(reply, code, message);
  }

  /**
   * The onRequest hook of one route. Callback style, and verification answers synchronously for a
   * cached key on the in-process limiter: a request of a known key costs no promise here.
   */
  function bearerHook(scope: RequiredScope | 'any', bodyMayFollow: boolean): onRequestHookHandler {
    const required = scope === 'any' ? undefined : scope;
    return (request, reply, done) => {
      // The first hook of its route: it marks the start for the response observer.
      stampStart(request);
      const now = clock.now();
      const raw = request.raw;
      if (!ipBlocks.empty && ipBlocked(request, reply, now, raw.headers.authorization)) return;
      if (
        (raw.url!.includes('?') && anyValueLooksLikeSecret(request.query)) ||
        cookieHoldsSecret(raw.headers.cookie)
      ) {
        refuse(request, reply, now, WRONG_PLACE).catch(done);
        return;
      }
      const header = raw.headers.authorization;
      if (!header) {
        // A body may carry the key by mistake: decide after parsing (preValidation) so the message can say so.
        if (bodyMayFollow && (raw.headers['content-length'] || raw.headers['transfer-encoding'])) {
          done();
          return;
        }
        sendError(reply, 'ERR_UNAUTHENTICATED', `Missing credentials. ${USE_HEADER}`);
        return;
      }
      const secret = bearerSecret(header);
      if (secret === undefined) {
        refuse(request, reply, now, `Malformed Authorization header. ${USE_HEADER}`).catch(done);
        return;
      }
      const result = verifier.verify(secret, now, required, memoOfConnection(raw.socket));
      if (result instanceof Promise) {
        result.then((r) => conclude(r, request, reply, now, scope, done)).catch(done);
      } else {
        conclude(result, request, reply, now, scope, done);
      }
    };
  }

  // Requests without an Authorization header but with a body: refuse, pointing at the header.
  const bodyCheck: preValidationHookHandler = (request, reply, done) => {
    if (request.credential) {
      done();
      return;
    }
    if (anyValueLooksLikeSecret(request.body)) {
      refuse(request, reply, clock.now(), WRONG_PLACE).catch(done);
      return;
    }
    sendError(reply, 'ERR_UNAUTHENTICATED', `Missing credentials. ${USE_HEADER}`);
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
    const result = await Promise.resolve(verifier.verify(secret, now)).catch(() => undefined);
    if (result?.ratelimit) setRateLimitHeaders(reply, result.ratelimit, now, false);
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

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const WHITESPACE = /\s/;

/** The secret of `Bearer <secret>` (scheme in any case, spaces around), or undefined. */
export function bearerSecret(header: string): string | undefined {
  // The common exact form without the capturing expression (and its match array). A character loop
  // instead of the test was measured dearer (~1 500 against ~1 100 instructions).
  if (header.length > 7 && header.startsWith('Bearer ')) {
    const secret = header.slice(7);
    if (!WHITESPACE.test(secret)) return secret;
  }
  return BEARER.exec(header)?.[1];
}
