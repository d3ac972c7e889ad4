/** The state of a credential at a moment: active, expired or revoked. */

export type CredentialState = 'active' | 'expired' | 'revoked';

export interface LifecycleFields {
  revokedAt: number | null;
  expiresAt: number | null;
}

export function credentialState(c: LifecycleFields, now: number): CredentialState {
  if (c.revokedAt !== null) return 'revoked';
  if (c.expiresAt !== null && c.expiresAt <= now) return 'expired';
  return 'active';
}
