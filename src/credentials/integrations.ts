/**
 * Private integrations: a named credential with granular scopes whose token can be generated,
 * rotated now or later (one previous token inside its grace period) and expired.
 */
import { type Actor, recordAudit } from '../audit/record.ts';
import { KeywardError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { CredentialRow } from '../storage/repositories/credentials.ts';
import { emitEvent } from '../webhooks/emit.ts';
import { credentialEventData } from '../webhooks/payloads.ts';
import { newSecretRow } from './api-keys.ts';
import type { CredentialContext } from './context.ts';
import { auditView, changeCredential } from './lifecycle.ts';

// The grace limits are part of the API contract (the rotate body, the dashboard): defined there.
export { DEFAULT_GRACE_SECONDS, MAX_GRACE_SECONDS } from '../contract/limits.ts';

export interface IntegrationInput {
  workspaceId: string;
  name: string;
  description?: string | undefined;
  scopes: string[];
}

export async function createIntegration(ctx: CredentialContext, input: IntegrationInput, actor: Actor) {
  const now = ctx.clock.now();
  const row: CredentialRow = {
    id: newId('integration', now),
    workspace_id: input.workspaceId,
    kind: 'integration_token',
    name: input.name,
    description: input.description ?? '',
    scopes: JSON.stringify([...new Set(input.scopes)].sort()),
    rate_limit: null,
    expires_at: null,
    revoked_at: null,
    deleted_at: null,
    last_used_at: null,
    last_used_ip: null,
    created_at: now,
    updated_at: now,
  };
  await ctx.storage.transaction(async (tx) => {
    await tx.credentials.create(row);
    await recordAudit(
      tx,
      actor,
      {
        workspaceId: row.workspace_id,
        action: 'integration.created',
        targetType: 'integration',
        targetId: row.id,
        after: auditView(row),
      },
      now,
    );
  });
  return row;
}

export function updateIntegration(
  ctx: CredentialContext,
  workspaceId: string,
  id: string,
  patch: { name?: string | undefined; description?: string | undefined; scopes?: string[] | undefined },
  actor: Actor,
) {
  return changeCredential(ctx, workspaceId, id, 'updated', actor, async (tx, row, now) => {
    assertIntegration(row);
    await tx.credentials.update(row.id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.scopes !== undefined ? { scopes: JSON.stringify([...new Set(patch.scopes)].sort()) } : {}),
      updated_at: now,
    });
  });
}

function assertIntegration(row: CredentialRow): void {
  if (row.kind !== 'integration_token')
    throw new KeywardError('ERR_NOT_FOUND', `Integration ${row.id} not found.`);
}

function assertUsable(row: CredentialRow, now: number): void {
  if (row.revoked_at !== null) throw new KeywardError('ERR_CONFLICT', 'This integration is revoked.');
  if (row.expires_at !== null && row.expires_at <= now) {
    throw new KeywardError('ERR_CONFLICT', 'This integration has expired; create a new one.');
  }
}

/** Generates the first token. Returns the secret once. */
export async function issueIntegrationToken(
  ctx: CredentialContext,
  workspaceId: string,
  id: string,
  actor: Actor,
) {
  let secret = '';
  const row = await changeCredential(
    ctx,
    workspaceId,
    id,
    'token_created',
    actor,
    async (tx, current, now) => {
      assertIntegration(current);
      assertUsable(current, now);
      const secrets = await tx.credentials.secretsOf(current.id);
      if (secrets.some((s) => s.expires_at === null || s.expires_at > now)) {
        throw new KeywardError('ERR_CONFLICT', 'This integration already has a token; rotate it instead.');
      }
      const issued = newSecretRow(current.id, ctx.tokenPrefix, now);
      await tx.credentials.addSecret(issued.row);
      secret = issued.secret;
    },
  );
  return { row, secret };
}

/**
 * Issues a new token. `now` ends the current one at once; `later` keeps it working for the grace
 * period. Any token already in a grace period ends now: at most one previous token exists.
 */
export async function rotateIntegrationToken(
  ctx: CredentialContext,
  workspaceId: string,
  id: string,
  mode: 'now' | 'later',
  graceSeconds: number,
  actor: Actor,
) {
  let secret = '';
  let previousValidUntil: number | null = null;
  const row = await changeCredential(ctx, workspaceId, id, 'rotated', actor, async (tx, current, now) => {
    assertIntegration(current);
    assertUsable(current, now);
    const live = (await tx.credentials.secretsOf(current.id)).filter(
      (s) => s.expires_at === null || s.expires_at > now,
    );
    const currentSecret = live.find((s) => s.expires_at === null);
    if (!currentSecret)
      throw new KeywardError('ERR_CONFLICT', 'This integration has no token yet; generate one first.');
    for (const old of live) if (old !== currentSecret) await tx.credentials.expireSecret(old.hash, now);
    previousValidUntil = mode === 'now' ? now : now + graceSeconds * 1000;
    await tx.credentials.expireSecret(currentSecret.hash, previousValidUntil);
    const issued = newSecretRow(current.id, ctx.tokenPrefix, now + 1);
    await tx.credentials.addSecret(issued.row);
    secret = issued.secret;
    const data = credentialEventData(current, {
      mode,
      previous_valid_until: new Date(previousValidUntil).toISOString(),
    });
    await emitEvent(tx, current.workspace_id, 'credential.rotated', data, now);
  });
  return { row, secret, previousValidUntil: previousValidUntil as number | null };
}
