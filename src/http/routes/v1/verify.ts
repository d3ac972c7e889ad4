/**
 * POST /v1/keys/verify: lets another backend check a key through the same verification path as
 * the bearer hook (it counts against the key's budget). Takes an operator token of either access.
 */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  type VerifyAnswer,
  type VerifyAnswerCode,
  verifyBodyOf,
  verifyResponse,
} from '../../../contract/public.ts';
import { CODE_TO_ERROR, graceHeaders, type VerifyCode } from '../../../core/outcome.ts';
import type { RequiredScope } from '../../../core/scopes.ts';
import type { VerifyResult } from '../../../credentials/verify.ts';
import type { AppDeps } from '../../deps.ts';
import { setRateLimitHeaders } from '../../plugins/auth.ts';
import { requireOperator } from '../../plugins/operator-auth.ts';
import { commonErrors } from '../../schemas.ts';

/** The outcome codes: the names of the errors the bearer hook would answer with (core/outcome.ts). */
export const VERIFY_CODES: Record<VerifyCode, VerifyAnswerCode> = { VALID: 'VALID', ...CODE_TO_ERROR };

export const verifyRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/keys/verify',
      {
        schema: {
          tags: ['public'],
          summary: 'Verify a key for another backend (operator token required)',
          security: [{ operatorToken: [] }],
          body: verifyBodyOf(deps.config.catalogue),
          response: { 200: verifyResponse, ...commonErrors },
        },
        onRequest: requireOperator(deps, 'verify'),
      },
      async (request, reply) => {
        const now = deps.clock.now();
        const { key, scope } = request.body;
        const result = await deps.verifier.verify(key, now, scope as RequiredScope | undefined);
        return answer(result, request.ip, reply, now);
      },
    );

    /** The answer's headers and its usage record; returns the body (serialized by the route's schema). */
    function answer(result: VerifyResult, ip: string, reply: FastifyReply, now: number): VerifyAnswer {
      if (result.code === 'UNAUTHENTICATED') return bodyOf(result);
      const c = result.credential;
      setRateLimitHeaders(reply, result.ratelimit, now, result.code === 'RATE_LIMITED');
      if (result.code === 'VALID' || result.code === 'SCOPE_INSUFFICIENT' || result.code === 'RATE_LIMITED') {
        deps.usage.record({
          credentialId: c.credentialId,
          workspaceId: c.workspaceId,
          ip,
          at: now,
          method: 'VERIFY',
          route: '/v1/keys/verify',
          status: result.code === 'VALID' ? 200 : result.code === 'RATE_LIMITED' ? 429 : 403,
          latencyMs: 0,
        });
      }
      if (result.code === 'VALID') {
        // Every path that charges a key raises its budget alert (once per window), this one too.
        if (c.alertBudgetPercent) deps.usage.budgetCharged(c, result.keyBudget);
        // The headers a route of the caller's should forward, as Keyward's own routes send them.
        if (c.secretEndsAt !== null) reply.headers(graceHeaders(c.secretEndsAt));
      }
      // Which budget refused (a route answers it as details.limit): for keyward/fastify and keyward/express.
      if (result.code === 'RATE_LIMITED') reply.header('x-keyward-limited-by', result.limitedBy);
      return bodyOf(result);
    }
  };

const resetSeconds = (resetAt: number): number => Math.ceil(resetAt / 1000);

function bodyOf(result: VerifyResult): VerifyAnswer {
  if (result.code === 'UNAUTHENTICATED') {
    return {
      data: {
        valid: false,
        code: VERIFY_CODES.UNAUTHENTICATED,
        workspace_id: null,
        credential_id: null,
        kind: null,
        scopes: [],
        ratelimit: null,
        expires_at: null,
      },
    };
  }
  const c = result.credential;
  const limits = result.ratelimit;
  return {
    data: {
      valid: result.code === 'VALID',
      code: VERIFY_CODES[result.code],
      workspace_id: c.workspaceId,
      credential_id: c.credentialId,
      kind: c.kind,
      scopes: [...c.scopes],
      ratelimit: { limit: limits.limit, remaining: limits.remaining, reset: resetSeconds(limits.resetAt) },
      expires_at: c.expiresAt !== null ? new Date(c.expiresAt).toISOString() : null,
    },
  };
}
