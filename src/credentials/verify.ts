/**
 * The one verification path (bearer hook, /v1/keys/verify): format and checksum, cache or storage,
 * lifecycle, plan, scope and both rate limits. Outcomes are values, not exceptions.
 */
import type { CachedCredential, CredentialCache } from '../cache/credential-cache.ts';
import { parseRateLimit } from '../core/durations.ts';
import { credentialState } from '../core/lifecycle.ts';
import type { Plan } from '../core/plans.ts';
import { type RequiredScope, scopeSatisfies } from '../core/scopes.ts';
import { hashSecret, isWellFormedSecret } from '../core/secrets.ts';
import { parseWorkspaceSettings } from '../core/workspace-settings.ts';
import type { Budget, BudgetState, RateLimiter } from '../limits/rate-limiter.ts';
import type { Storage } from '../storage/index.ts';
import type { SecretLookup } from '../storage/repositories/credentials.ts';

export type VerifyCode =
  | 'VALID'
  | 'UNAUTHENTICATED'
  | 'KEY_EXPIRED'
  | 'KEY_REVOKED'
  | 'PLAN_REQUIRED'
  | 'SCOPE_INSUFFICIENT'
  | 'RATE_LIMITED';

export interface VerifyResult {
  valid: boolean;
  code: VerifyCode;
  credential: CachedCredential | undefined;
  /** The tighter of the key and workspace budgets, when the credential was identified. */
  ratelimit: BudgetState | undefined;
  /** The key's own budget after this request (for budget alerts), when it was charged. */
  keyBudget: BudgetState | undefined;
  /** Which budget refused the request. */
  limitedBy: 'key' | 'workspace' | undefined;
}

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

function outcome(code: VerifyCode, credential?: CachedCredential, ratelimit?: BudgetState): VerifyResult {
  return { valid: code === 'VALID', code, credential, ratelimit, keyBudget: undefined, limitedBy: undefined };
}

/** A database read under way for a secret hash, and the cache generation it started in. */
interface Loading {
  generation: number;
  promise: Promise<CachedCredential | undefined>;
}

export class CredentialVerifier {
  /** Concurrent misses for one hash share one read (a cold key under load is read once). */
  private readonly loading = new Map<string, Loading>();

  constructor(private readonly deps: VerifierDeps) {}

  async verify(secret: string, now: number, scope?: RequiredScope): Promise<VerifyResult> {
    if (!isWellFormedSecret(secret, this.deps.prefixes)) return outcome('UNAUTHENTICATED');
    const hash = hashSecret(secret);
    const entry = this.deps.cache.get(hash) ?? (await this.load(hash));
    if (!entry) return outcome('UNAUTHENTICATED');

    const budgets = entry.budgets;
    const state = credentialState(entry, now);
    if (state !== 'active' || !entry.plan.apiAccess) {
      const peek = await this.deps.limiter.peek(budgets, now);
      const code =
        state === 'revoked' ? 'KEY_REVOKED' : state === 'expired' ? 'KEY_EXPIRED' : 'PLAN_REQUIRED';
      return outcome(code, entry, tightest(peek.states));
    }

    const result = await this.deps.limiter.consume(budgets, now);
    if (!result.allowed) {
      const denied = result.states[result.deniedIndex];
      return {
        ...outcome('RATE_LIMITED', entry, denied),
        limitedBy: result.deniedIndex === 0 ? 'key' : 'workspace',
      };
    }
    const ratelimit = tightest(result.states);
    if (scope && !scopeSatisfies(entry.scopes, scope)) return outcome('SCOPE_INSUFFICIENT', entry, ratelimit);
    const valid = outcome('VALID', entry, ratelimit);
    valid.keyBudget = result.states[0];
    return valid;
  }

  private load(hash: string): Promise<CachedCredential | undefined> {
    const generation = this.deps.cache.generation;
    const under = this.loading.get(hash);
    // Join a read under way only if nothing was invalidated since it began: it may hold the old state.
    if (under !== undefined && under.generation === generation) return under.promise;
    const loading: Loading = {
      generation,
      promise: this.read(hash, generation).finally(() => {
        if (this.loading.get(hash) === loading) this.loading.delete(hash);
      }),
    };
    this.loading.set(hash, loading);
    return loading.promise;
  }

  private async read(hash: string, generation: number): Promise<CachedCredential | undefined> {
    const found = await this.deps.storage.credentials.findBySecretHash(hash);
    if (!found) return undefined;
    const entry = toCacheEntry(found, this.deps.plans);
    // Invalidated meanwhile: good enough for the requests that were waiting, not to keep.
    if (this.deps.cache.generation === generation) this.deps.cache.set(hash, entry);
    return entry;
  }
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

/** The budget with the least left is the one to report. */
function tightest(states: readonly BudgetState[]): BudgetState | undefined {
  let best: BudgetState | undefined;
  for (const s of states) if (!best || s.remaining < best.remaining) best = s;
  return best;
}
