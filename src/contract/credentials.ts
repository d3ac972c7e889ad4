/**
 * Credentials as the management API shows them (never a secret, except once on creation or rotation),
 * and the bodies that create, change, rotate and expire API keys and private integrations.
 */
import { z } from 'zod';
import { DEFAULT_CATALOGUE, type ScopeCatalogue } from '../core/catalogue.ts';
import { API_KEY_SCOPES } from '../core/scopes.ts';
import { atLeastOneField, timestamp } from './envelopes.ts';
import { DEFAULT_GRACE_SECONDS, MAX_GRACE_SECONDS } from './limits.ts';

export { DEFAULT_GRACE_SECONDS, MAX_GRACE_SECONDS };

const tokenSchema = z.object({
  prefix: z.string(),
  start: z.string(),
  created_at: timestamp.nullable(),
  expires_at: timestamp.nullable(),
});

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
    created_at: timestamp,
    expires_at: timestamp.nullable(),
    revoked_at: timestamp.nullable(),
    last_used_at: timestamp.nullable(),
    last_used_ip: z.string().nullable(),
    token: tokenSchema.nullable(),
    previous_token: z
      .object({
        prefix: z.string(),
        start: z.string(),
        created_at: timestamp.nullable(),
        valid_until: z.string().nullable(),
      })
      .nullable(),
  })
  .meta({ id: 'Credential' });

export const withSecret = credentialSchema.extend({ secret: z.string() });
export const rotatedSchema = withSecret.extend({ previous_valid_until: z.string().nullable() });

// A POST without a body reaches validation as null, not undefined: treat it as `{}` ("expire now").
export const expireBody = z.preprocess(
  (body) => body ?? {},
  z.object({ at: z.iso.datetime({ offset: true }).optional() }),
);

export const createKeyBody = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(1000).optional(),
  scope: z.enum(API_KEY_SCOPES),
  expires_at: z.iso.datetime({ offset: true }).optional(),
  rate_limit: z.string().max(30).optional(),
});

/** One scope of the catalogue; an unknown one is refused naming the allowed ones. */
export const scopeSchemaOf = (catalogue: ScopeCatalogue) => z.enum(catalogue.scopes as [string, ...string[]]);

const integrationScopesOf = (catalogue: ScopeCatalogue) =>
  z.array(scopeSchemaOf(catalogue)).min(1, 'choose at least one scope').max(catalogue.scopes.length);

/** The integration bodies over a catalogue: the scope enum (and the OpenAPI document) follow it. */
export const createIntegrationBodyOf = (catalogue: ScopeCatalogue) =>
  z.object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(1000).default(''),
    scopes: integrationScopesOf(catalogue),
  });

export const patchIntegrationBodyOf = (catalogue: ScopeCatalogue) =>
  atLeastOneField(
    z
      .object({
        name: z.string().trim().min(1).max(200),
        description: z.string().max(1000),
        scopes: integrationScopesOf(catalogue),
      })
      .partial(),
  );

// Over the built-in catalogue, for the types the dashboard and clients share.
export const integrationScopeSchema = z.string();
export const createIntegrationBody = createIntegrationBodyOf(DEFAULT_CATALOGUE);
export const patchIntegrationBody = patchIntegrationBodyOf(DEFAULT_CATALOGUE);

export const rotateBody = z.object({
  mode: z.enum(['now', 'later']),
  grace_seconds: z.number().int().min(1).max(MAX_GRACE_SECONDS).optional(),
});
