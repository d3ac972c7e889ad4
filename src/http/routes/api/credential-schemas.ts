/** Schemas of credentials as the management API shows them (never a secret, except once on creation). */
import { z } from 'zod';

const tokenSchema = z.object({ prefix: z.string(), start: z.string(), created_at: z.string().nullable(), expires_at: z.string().nullable() });

export const credentialSchema = z
  .object({
    id: z.string(),
    object: z.enum(['api_key', 'integration_token']),
    workspace_id: z.string(),
    name: z.string(),
    description: z.string(),
    scopes: z.array(z.string()),
    prefix: z.string().nullable(),
    start: z.string().nullable(),
    status: z.enum(['active', 'expired', 'revoked']),
    rate_limit: z.string().nullable(),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
    last_used_ip: z.string().nullable(),
    token: tokenSchema.nullable(),
    previous_token: z
      .object({ prefix: z.string(), start: z.string(), created_at: z.string().nullable(), valid_until: z.string().nullable() })
      .nullable(),
  })
  .meta({ id: 'Credential' });

export const withSecret = credentialSchema.extend({ secret: z.string() });

// A POST without a body reaches validation as null, not undefined: treat it as `{}` ("expire now").
export const expireBody = z.preprocess(
  (body) => body ?? {},
  z.object({ at: z.iso.datetime({ offset: true }).optional() }),
);
