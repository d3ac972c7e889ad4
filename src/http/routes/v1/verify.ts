/**
 * POST /v1/keys/verify: lets another backend check a key through the same verification path as
 * the bearer hook (it counts against the key's budget). Enabled by KEYWARD_SERVICE_TOKEN.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { KeywardError } from '../../../core/errors.ts';
import { GRANULAR_SCOPES, type RequiredScope } from '../../../core/scopes.ts';
import { TokenMatcher } from '../../../core/token-match.ts';
import type { VerifyCode } from '../../../credentials/verify.ts';
import type { AppDeps } from '../../deps.ts';
import { bearerSecret, setRateLimitHeaders } from '../../plugins/auth.ts';
import { commonErrors, dataEnvelope } from '../../schemas.ts';

/** The outcome codes, the same names as the errors the bearer hook would answer with. */
export const VERIFY_CODES: Record<VerifyCode, string> = {
  VALID: 'VALID',
  UNAUTHENTICATED: 'ERR_UNAUTHENTICATED',
  KEY_EXPIRED: 'ERR_KEY_EXPIRED',
  KEY_REVOKED: 'ERR_KEY_REVOKED',
  PLAN_REQUIRED: 'ERR_PLAN_REQUIRED',
  SCOPE_INSUFFICIENT: 'ERR_SCOPE_INSUFFICIENT',
  RATE_LIMITED: 'ERR_RATE_LIMITED',
};

const verifyBody = z.object({
  key: z.string().min(1).max(200),
  scope: z.enum(GRANULAR_SCOPES as [RequiredScope, ...RequiredScope[]]).optional(),
});

const verifyResponse = dataEnvelope(
  z.object({
    valid: z.boolean(),
    code: z.string(),
    workspace_id: z.string().nullable(),
    credential_id: z.string().nullable(),
    kind: z.enum(['api_key', 'integration_token']).nullable(),
    scopes: z.array(z.string()),
    ratelimit: z.object({ limit: z.number(), remaining: z.number(), reset: z.number() }).nullable(),
    expires_at: z.string().nullable(),
  }),
);

export const verifyRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const serviceToken = deps.config.serviceToken;
    // Constant-time whatever the presented token (see TokenMatcher).
    const expected = serviceToken ? new TokenMatcher(serviceToken) : undefined;

    app.post(
      '/keys/verify',
      {
        schema: {
          tags: ['public'],
          summary: 'Verify a key for another backend (service token required)',
          security: [{ serviceToken: [] }],
          body: verifyBody,
          response: { 200: verifyResponse, ...commonErrors },
        },
      },
      async (request, reply) => {
        if (!expected)
          throw new KeywardError(
            'ERR_NOT_FOUND',
            'Key verification is not enabled on this server (set KEYWARD_SERVICE_TOKEN).',
          );
        const presented = bearerSecret(request.headers.authorization ?? '');
        if (!presented || !expected.matches(presented)) {
          throw new KeywardError(
            'ERR_UNAUTHENTICATED',
            'Send the service token: "Authorization: Bearer <KEYWARD_SERVICE_TOKEN>".',
          );
        }
        const now = deps.clock.now();
        const result = await deps.verifier.verify(request.body.key, now, request.body.scope);
        if (result.ratelimit)
          setRateLimitHeaders(reply, result.ratelimit, now, result.code === 'RATE_LIMITED');
        const c = result.credential;
        if (
          c &&
          (result.code === 'VALID' || result.code === 'SCOPE_INSUFFICIENT' || result.code === 'RATE_LIMITED')
        ) {
          deps.usage.record({
            credentialId: c.credentialId,
            workspaceId: c.workspaceId,
            ip: request.ip,
            at: now,
            method: 'VERIFY',
            route: '/v1/keys/verify',
            status: result.code === 'VALID' ? 200 : result.code === 'RATE_LIMITED' ? 429 : 403,
            latencyMs: 0,
          });
        }
        return {
          data: {
            valid: result.valid,
            code: VERIFY_CODES[result.code],
            workspace_id: c?.workspaceId ?? null,
            credential_id: c?.credentialId ?? null,
            kind: c?.kind ?? null,
            scopes: c ? [...c.scopes] : [],
            ratelimit: result.ratelimit
              ? {
                  limit: result.ratelimit.limit,
                  remaining: result.ratelimit.remaining,
                  reset: Math.ceil(result.ratelimit.resetAt / 1000),
                }
              : null,
            expires_at: c?.expiresAt != null ? new Date(c.expiresAt).toISOString() : null,
          },
        };
      },
    );
  };
