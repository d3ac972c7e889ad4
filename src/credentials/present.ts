/** The public shape of a credential (never its secret or hash). */
import { credentialState } from '../core/lifecycle.ts';
import { iso } from '../core/time.ts';
import type { CredentialRow, SecretRow } from '../storage/repositories/credentials.ts';

/** `secrets` newest first, as `CredentialRepository.secretsOf` returns them. */
export function presentCredential(row: CredentialRow, secrets: readonly SecretRow[], now: number) {
  const current = secrets.find((s) => s.expires_at === null) ?? secrets[0];
  const previous = secrets.find((s) => s !== current && s.expires_at !== null && s.expires_at > now);
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
    token: current
      ? {
          prefix: current.prefix,
          start: current.start,
          created_at: iso(current.created_at),
          expires_at: iso(current.expires_at),
        }
      : null,
    previous_token: previous
      ? {
          prefix: previous.prefix,
          start: previous.start,
          created_at: iso(previous.created_at),
          valid_until: iso(previous.expires_at),
        }
      : null,
  };
}

export type PresentedCredential = ReturnType<typeof presentCredential>;
