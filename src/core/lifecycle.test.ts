/** A credential's state at a moment: revoked wins, then expiry, else active. */
import { describe, expect, it } from 'vitest';
import { credentialState } from './lifecycle.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('credential state', () => {
  it('a credential with no revocation and no expiry is active', () => {
    expect(credentialState({ revokedAt: null, expiresAt: null }, NOW)).toBe('active');
  });

  it('a credential expiring in the future is active until then', () => {
    expect(credentialState({ revokedAt: null, expiresAt: NOW + 1 }, NOW)).toBe('active');
  });

  it('a credential is expired at the exact moment of its expiry ("expire now")', () => {
    expect(credentialState({ revokedAt: null, expiresAt: NOW }, NOW)).toBe('expired');
  });

  it('a credential whose expiry has passed is expired', () => {
    expect(credentialState({ revokedAt: null, expiresAt: NOW - 1 }, NOW)).toBe('expired');
  });

  it('revocation is permanent: a revoked credential is revoked whatever its expiry', () => {
    expect(credentialState({ revokedAt: NOW - 10, expiresAt: null }, NOW)).toBe('revoked');
    expect(credentialState({ revokedAt: NOW - 10, expiresAt: NOW + 1_000 }, NOW)).toBe('revoked');
    expect(credentialState({ revokedAt: NOW - 10, expiresAt: NOW - 5 }, NOW)).toBe('revoked');
  });

  it('a revoked credential stays revoked as time passes', () => {
    const c = { revokedAt: NOW, expiresAt: null };
    for (const t of [NOW, NOW + 1, NOW + 365 * 86_400_000]) expect(credentialState(c, t)).toBe('revoked');
  });

  it('an "expire later" credential moves from active to expired as the clock passes it', () => {
    const c = { revokedAt: null, expiresAt: NOW + 60_000 };
    expect(credentialState(c, NOW)).toBe('active');
    expect(credentialState(c, NOW + 59_999)).toBe('active');
    expect(credentialState(c, NOW + 60_000)).toBe('expired');
  });
});
