/**
 * The credential checks of /v1: GET /v1/ping (whose credential is this) and POST /v1/keys/verify
 * (another backend checks a key, with an operator token).
 */
import { z } from 'zod';
import { DEFAULT_CATALOGUE, type ScopeCatalogue } from '../core/catalogue.ts';
import { scopeSchemaOf } from './credentials.ts';
import { dataEnvelope, timestamp } from './envelopes.ts';

export const credentialKindSchema = z.enum(['api_key', 'integration_token']);

export const pingResponse = dataEnvelope(
  z.object({
    ok: z.literal(true),
    workspace_id: z.string().meta({ examples: ['ws_01JQ3F7X9Y1Z3A5B7C9D1E3F5G'] }),
    credential: z.object({
      id: z.string().meta({ examples: ['key_01JQ3F8B2D4F6H8K0M2P4R6T8V'] }),
      kind: credentialKindSchema,
      name: z.string().meta({ examples: ['ci'] }),
      scopes: z.array(z.string()).meta({ examples: [['read:write']] }),
    }),
  }),
);

/** The outcome of a verification: `VALID`, or the code of the error the bearer hook would answer. */
export const VERIFY_ANSWER_CODES = [
  'VALID',
  'ERR_UNAUTHENTICATED',
  'ERR_KEY_EXPIRED',
  'ERR_KEY_REVOKED',
  'ERR_PLAN_REQUIRED',
  'ERR_SCOPE_INSUFFICIENT',
  'ERR_RATE_LIMITED',
] as const;
export type VerifyAnswerCode = (typeof VERIFY_ANSWER_CODES)[number];

export const verifyBodyOf = (catalogue: ScopeCatalogue) =>
  z.object({
    key: z
      .string()
      .min(1)
      .max(200)
      .meta({ description: 'The secret the caller presented to your API', examples: ['spk_…'] }),
    scope: scopeSchemaOf(catalogue).optional(),
  });
export const verifyBody = verifyBodyOf(DEFAULT_CATALOGUE);

export const verifyAnswerSchema = z.object({
  valid: z.boolean(),
  code: z.enum(VERIFY_ANSWER_CODES),
  workspace_id: z
    .string()
    .nullable()
    .meta({ examples: ['ws_01JQ3F7X9Y1Z3A5B7C9D1E3F5G'] }),
  credential_id: z
    .string()
    .nullable()
    .meta({ examples: ['key_01JQ3F8B2D4F6H8K0M2P4R6T8V'] }),
  kind: credentialKindSchema.nullable(),
  scopes: z.array(z.string()).meta({ examples: [['read']] }),
  ratelimit: z
    .object({
      limit: z.number().meta({ examples: [1000] }),
      remaining: z.number().meta({ examples: [998] }),
      reset: z
        .number()
        .meta({ description: 'When the window ends, in unix seconds', examples: [1773480413] }),
    })
    .nullable(),
  expires_at: timestamp.nullable(),
});
export const verifyResponse = dataEnvelope(verifyAnswerSchema);
export type VerifyAnswer = { data: z.infer<typeof verifyAnswerSchema> };
