/**
 * Verified credentials kept in memory, keyed by secret hash, so a known key never costs a database
 * read. Bounded (LRU); entries are dropped by credential or workspace when something changes.
 */
import { LRUCache } from 'lru-cache';
import type { RateLimitSpec } from '../core/durations.ts';
import type { Plan } from '../core/plans.ts';
import type { Budget } from '../limits/rate-limiter.ts';

export interface CachedCredential {
  credentialId: string;
  workspaceId: string;
  kind: 'api_key' | 'integration_token';
  name: string;
  scopes: readonly string[];
  plan: Plan;
  keyLimit: RateLimitSpec;
  revokedAt: number | null;
  /** The earlier of the credential's expiry and this secret's end (rotation grace). */
  expiresAt: number | null;
  /** When this particular secret stops working because it was rotated, else null. */
  secretEndsAt: number | null;
  /** Workspace setting: alert when this share of the key budget is used; null = off. */
  alertBudgetPercent: number | null;
  /**
   * What a request charges, built once: the key's budget, then the workspace pool's when the plan
   * has one. Shared by every request of this entry; the rate limiters only read it.
   */
  budgets: readonly Readonly<Budget>[];
}

export class CredentialCache {
  private readonly byHash: LRUCache<string, CachedCredential>;
  private readonly hashesByCredential = new Map<string, Set<string>>();
  private invalidations = 0;

  constructor(maxEntries = 100_000) {
    this.byHash = new LRUCache({
      max: maxEntries,
      dispose: (value, hash) => this.unlink(value.credentialId, hash),
    });
  }

  get(hash: string): CachedCredential | undefined {
    return this.byHash.get(hash);
  }

  set(hash: string, entry: CachedCredential): void {
    this.byHash.set(hash, entry);
    let hashes = this.hashesByCredential.get(entry.credentialId);
    if (!hashes) {
      hashes = new Set();
      this.hashesByCredential.set(entry.credentialId, hashes);
    }
    hashes.add(hash);
  }

  get size(): number {
    return this.byHash.size;
  }

  /**
   * Grows with every invalidation (of anything, cached or not). A reader that loaded an entry from
   * the database stores it only if this did not move during the read: the change may have committed
   * after the read saw the old state, and its invalidation already ran.
   */
  get generation(): number {
    return this.invalidations;
  }

  invalidateCredential(credentialId: string): void {
    this.invalidations++;
    const hashes = this.hashesByCredential.get(credentialId);
    if (!hashes) return;
    for (const hash of [...hashes]) this.byHash.delete(hash);
    this.hashesByCredential.delete(credentialId);
  }

  invalidateWorkspace(workspaceId: string): void {
    this.invalidations++;
    for (const [hash, entry] of this.byHash.entries()) {
      if (entry.workspaceId === workspaceId) this.byHash.delete(hash);
    }
  }

  clear(): void {
    this.invalidations++;
    this.byHash.clear();
    this.hashesByCredential.clear();
  }

  private unlink(credentialId: string, hash: string): void {
    const hashes = this.hashesByCredential.get(credentialId);
    if (!hashes) return;
    hashes.delete(hash);
    if (hashes.size === 0) this.hashesByCredential.delete(credentialId);
  }
}
