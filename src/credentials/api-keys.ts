/** Minting API keys: a credential row and its hashed secret, the secret returned once. */
import { type Actor, recordAudit, SYSTEM_ACTOR } from '../audit/record.ts';
import { formatRateLimit, parseRateLimit } from '../core/durations.ts';
import { KeywardError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { API_KEY_SCOPES, type ApiKeyScope } from '../core/scopes.ts';
import { generateSecret, hashSecret, startOf } from '../core/secrets.ts';
import type { CredentialRow, SecretRow } from '../storage/repositories/credentials.ts';
import type { CredentialContext } from './context.ts';

export interface CreateApiKeyInput {
  workspaceId: string;
  name: string;
  scope: string;
  description?: string | undefined;
  expiresAt?: number | null | undefined;
  /** e.g. `1000/h`; replaces the plan's key limit. */
  rateLimit?: string | null | undefined;
}

export interface IssuedCredential {
  credential: CredentialRow;
  secrets: SecretRow[];
  /** Shown exactly once. */
  secret: string;
}

export function isApiKeyScope(scope: string): scope is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(scope);
}

export function newSecretRow(credentialId: string, prefix: string, now: number) {
  const secret = generateSecret(prefix);
  const row: SecretRow = {
    hash: hashSecret(secret),
    credential_id: credentialId,
    start: startOf(secret, prefix),
    prefix,
    expires_at: null,
    created_at: now,
  };
  return { secret, row };
}

export async function createApiKey(
  ctx: CredentialContext,
  input: CreateApiKeyInput,
  actor: Actor = SYSTEM_ACTOR,
): Promise<IssuedCredential> {
  if (!isApiKeyScope(input.scope)) {
    throw new KeywardError('ERR_VALIDATION', `scope must be one of: ${API_KEY_SCOPES.join(', ')}`, {
      issues: [{ path: ['scope'], message: `expected one of ${API_KEY_SCOPES.join(', ')}` }],
    });
  }
  let rateLimit: string | null = null;
  if (input.rateLimit) {
    const spec = parseRateLimit(input.rateLimit);
    if (!spec) {
      throw new KeywardError('ERR_VALIDATION', 'rate limit must look like 1000/h', {
        issues: [{ path: ['rate_limit'], message: 'expected <n>/<window>, e.g. 1000/h' }],
      });
    }
    rateLimit = formatRateLimit(spec);
  }
  const now = ctx.clock.now();
  if (input.expiresAt != null && input.expiresAt <= now) {
    throw new KeywardError('ERR_VALIDATION', 'expires_at must be in the future', {
      issues: [{ path: ['expires_at'], message: 'must be in the future' }],
    });
  }
  const workspace = await ctx.storage.workspaces.get(input.workspaceId);
  if (!workspace) throw new KeywardError('ERR_NOT_FOUND', `workspace ${input.workspaceId} not found`);

  const credential: CredentialRow = {
    id: newId('apiKey', now),
    workspace_id: workspace.id,
    kind: 'api_key',
    name: input.name,
    description: input.description ?? '',
    scopes: JSON.stringify([input.scope]),
    rate_limit: rateLimit,
    expires_at: input.expiresAt ?? null,
    revoked_at: null,
    deleted_at: null,
    last_used_at: null,
    last_used_ip: null,
    created_at: now,
    updated_at: now,
  };
  const { secret, row } = newSecretRow(credential.id, ctx.keyPrefix, now);
  await ctx.storage.transaction(async (tx) => {
    await tx.credentials.create(credential, row);
    await recordAudit(
      tx,
      actor,
      {
        workspaceId: workspace.id,
        action: 'api_key.created',
        targetType: 'api_key',
        targetId: credential.id,
        after: {
          name: credential.name,
          scopes: [input.scope],
          rate_limit: rateLimit,
          expires_at: credential.expires_at,
        },
      },
      now,
    );
  });
  return { credential, secrets: [row], secret };
}
