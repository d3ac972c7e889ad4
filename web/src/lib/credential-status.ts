/** The badge a credential shows: the server's status, plus "expiring" when it ends within a week. */
import type { Credential } from '../api.ts';

export type Badge = 'active' | 'expiring' | 'expired' | 'revoked';

export const EXPIRING_WITHIN_MS = 7 * 86_400_000;

export function badgeOf(credential: Pick<Credential, 'status' | 'expires_at'>, now = Date.now()): Badge {
  if (credential.status !== 'active') return credential.status;
  if (credential.expires_at && Date.parse(credential.expires_at) - now < EXPIRING_WITHIN_MS)
    return 'expiring';
  return 'active';
}

/** `spk_AbCd1234…`, the part of a secret the server keeps for display. */
export function maskedSecret(prefix: string | null | undefined, start: string | null | undefined): string {
  return prefix && start ? `${prefix}${start}…` : '—';
}
