/** The `data` of credential events (never a secret or hash) and the ids that make them fire once. */
import { deterministicEventId } from '../core/ids.ts';
import { iso } from '../core/time.ts';
import type { CredentialRow } from '../storage/repositories/credentials.ts';

export function credentialEventData(row: CredentialRow, extra: Record<string, unknown> = {}) {
  return {
    id: row.id,
    object: row.kind,
    name: row.name,
    scopes: JSON.parse(row.scopes) as string[],
    expires_at: iso(row.expires_at),
    revoked_at: iso(row.revoked_at),
    ...extra,
  };
}

/**
 * `credential.expired` for one expiry time: the explicit "expire now", the inactivity job and the
 * sweep that notices expiry times passing all use this id, so the event is sent once.
 */
export function expiredEventId(credentialId: string, expiresAt: number): string {
  return deterministicEventId(expiresAt, `expired:${credentialId}:${expiresAt}`);
}
