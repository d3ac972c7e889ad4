/** The public shape of a credential (never its secret or hash). */
import { credentialState } from '../core/lifecycle.ts';
import { iso } from '../core/time.ts';
import type { CredentialRow, SecretRow } from '../storage/repositories/credentials.ts';

export function presentCredential(row: CredentialRow, secrets: readonly SecretRow[], now: number) {
  const current = secrets[0];
  return {
    id: row.id,
    object: row.kind,
    workspace_id: row.workspace_id,
    name: row.name,
    description: row.description,
    scopes: JSON.parse(row.scopes) as string[],
    prefix: current?.prefix ?? null,
    start: current?.start ?? null,
    status: credentialState({ revokedAt: row.revoked_at, expiresAt: row.expires_at }, now),
    rate_limit: row.rate_limit,
    created_at: iso(row.created_at),
    expires_at: iso(row.expires_at),
    revoked_at: iso(row.revoked_at),
    last_used_at: iso(row.last_used_at),
    last_used_ip: row.last_used_ip,
  };
}

export type PresentedCredential = ReturnType<typeof presentCredential>;
