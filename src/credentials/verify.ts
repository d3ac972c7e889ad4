/**
 * The one verification path (bearer hook, /v1/keys/verify): format and checksum, cache or storage,
 * lifecycle, plan, scope and both rate limits. Outcomes are values, not exceptions.
 */
import type { AuthOutcome } from '../auth/authenticate.ts';
import type { CachedCredential, CredentialCache } from '../cache/credential-cache.ts';
import { parseRateLimit } from '../core/durations.ts';
import { credentialState } from '../core/lifecycle.ts';
import type { Plan } from '../core/plans.ts';
import { type RequiredScope, scopeSatisfies } from '../core/scopes.ts';
import { digestSecret, hexOfDigest, isWellFormedSecret, secretPrefixOf } from '../core/secrets.ts';
import { parseWorkspaceSettings } from '../core/workspace-settings.ts';
import type { Budget, BudgetState, ConsumeResult, RateLimiter } from '../limits/rate-limiter.ts';
import type { Storage } from '../storage/index.ts';
import type { SecretLookup } from '../storage/repositories/credentials.ts';

/** What verifying one secret decided; a valid outcome also carries the key's own budget (budget alerts). */
export type VerifyResult = AuthOutcome<CachedCredential, { keyBudget: BudgetState }>;

export interface VerifierDeps {
  storage: Storage;
  cache: CredentialCache;
  limiter: RateLimiter;
  plans: Map<string, Plan>;
  prefixes: readonly string[];
}

const FALLBACK_PLAN: Plan = {
  name: 'unknown',
  apiAccess: false,
  keyLimit: parseRateLimit('1000/h')!,
  workspaceLimit: null,
};

const UNAUTHENTICATED: VerifyResult = { code: 'UNAUTHENTICATED' };

/** A database read under way for a secret digest, and the cache generation it started in. */
interface Loading {
  generation: number;
  promise: Promise<CachedCredential | undefined>;
}

export class CredentialVerifier {
  /** Concurrent misses for one secret share one read (a cold key under load is read once). */
  private readonly loading = new Map<string, Loading>();

  constructor(private readonly deps: VerifierDeps) {}

  async verify(secret: string, now: number, scope?: RequiredScope): Promise<VerifyResult> {
    // Prefix and length first (free); the checksum only on a cache miss: a secret whose SHA-256 is
    // in the cache is a real one, and every miss is still checked before any lookup.
    if (secretPrefixOf(secret, this.deps.prefixes) === undefined) return UNAUTHENTICATED;
    const digest = digestSecret(secret);
    const entry =
      this.deps.cache.get(digest) ??
      (isWellFormedSecret(secret, this.deps.prefixes) ? await this.load(digest) : undefined);
    if (entry === undefined) return UNAUTHENTICATED;
    // Lifecycle and plan charge nothing: the budgets are only read for the headers.
    const refused = lifecycleRefusal(entry, now);
    if (refused !== undefined) {
      const peeked = await this.deps.limiter.peek(entry.budgets, now);
      return { code: refused, credential: entry, ratelimit: tightest(peeked.states) };
    }
    return charged(entry, await this.deps.limiter.consume(entry.budgets, now), scope);
  }

  /**
   * A secret of a credential this instance has in its cache and that is still active. An address
   * blocked for failed attempts may still use such a key: many clients can share one address (NAT).
   */
  knownActive(secret: string, now: number): boolean {
    if (secretPrefixOf(secret, this.deps.prefixes) === undefined) return false;
    const cached = this.deps.cache.get(digestSecret(secret));
    return cached !== undefined && credentialState(cached, now) === 'active';
  }

  private load(digest: string): Promise<CachedCredential | undefined> {
    const generation = this.deps.cache.generation;
    const under = this.loading.get(digest);
    // Join a read under way only if nothing was invalidated since it began: it may hold the old state.
    if (under !== undefined && under.generation === generation) return under.promise;
    const loading: Loading = {
      generation,
      promise: this.read(digest, generation).finally(() => {
        if (this.loading.get(digest) === loading) this.loading.delete(digest);
      }),
    };
    this.loading.set(digest, loading);
    return loading.promise;
  }

  private async read(digest: string, generation: number): Promise<CachedCredential | undefined> {
    const found = await this.deps.storage.credentials.findBySecretHash(hexOfDigest(digest));
    if (!found) return undefined;
    const entry = toCacheEntry(found, this.deps.plans);
    // Invalidated meanwhile: good enough for the requests that were waiting, not to keep.
    if (this.deps.cache.generation === generation) this.deps.cache.set(digest, entry);
    return entry;
  }
}

/** Why a credential is refused before any budget is charged (revoked, expired, plan), if it is. */
function lifecycleRefusal(
  entry: CachedCredential,
  now: number,
): 'KEY_REVOKED' | 'KEY_EXPIRED' | 'PLAN_REQUIRED' | undefined {
  const state = credentialState(entry, now);
  if (state === 'revoked') return 'KEY_REVOKED';
  if (state === 'expired') return 'KEY_EXPIRED';
  return entry.plan.apiAccess ? undefined : 'PLAN_REQUIRED';
}

/** The outcome once both budgets were asked to charge one request. */
function charged(credential: CachedCredential, result: ConsumeResult, scope?: RequiredScope): VerifyResult {
  if (!result.allowed) {
    const limitedBy = result.deniedIndex === 0 ? 'key' : 'workspace';
    return { code: 'RATE_LIMITED', credential, ratelimit: result.states[result.deniedIndex]!, limitedBy };
  }
  const ratelimit = tightest(result.states);
  if (scope && !scopeSatisfies(credential.scopes, scope))
    return { code: 'SCOPE_INSUFFICIENT', credential, ratelimit };
  return { code: 'VALID', credential, ratelimit, keyBudget: result.states[0]! };
}

export function toCacheEntry(
  { credential, secret, workspace }: SecretLookup,
  plans: Map<string, Plan>,
): CachedCredential {
  const plan = plans.get(workspace.plan) ?? FALLBACK_PLAN;
  const ends = [credential.expires_at, secret.expires_at].filter((t): t is number => t !== null);
  const keyLimit = (credential.rate_limit && parseRateLimit(credential.rate_limit)) || plan.keyLimit;
  const keyBudget: Budget = {
    key: `key:${credential.id}`,
    limit: keyLimit.limit,
    windowMs: keyLimit.windowMs,
  };
  const pool = plan.workspaceLimit;
  return {
    credentialId: credential.id,
    workspaceId: credential.workspace_id,
    kind: credential.kind,
    name: credential.name,
    scopes: JSON.parse(credential.scopes) as string[],
    plan,
    keyLimit,
    revokedAt: credential.revoked_at,
    expiresAt: ends.length ? Math.min(...ends) : null,
    secretEndsAt: secret.expires_at,
    alertBudgetPercent: parseWorkspaceSettings(workspace.settings).alert_budget_percent,
    budgets: pool
      ? [keyBudget, { key: `ws:${credential.workspace_id}`, limit: pool.limit, windowMs: pool.windowMs }]
      : [keyBudget],
  };
}

/** The budget with the least left is the one to report (an entry always has its key's). */
function tightest(states: readonly BudgetState[]): BudgetState {
  let best = states[0]!;
  for (const s of states) if (s.remaining < best.remaining) best = s;
  return best;
}
