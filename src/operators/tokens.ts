/**
 * Operator tokens: what the operator's backend authenticates with. `verify` may call
 * POST /v1/keys/verify; `admin` may also call the admin API. Minted tokens (`kwo_…`, the same body
 * and checksum as keys) are stored as sha256 only; KEYWARD_SERVICE_TOKEN (verify) and
 * KEYWARD_ADMIN_TOKEN (admin) come from the environment, for a deployment's first steps.
 */
import { LRUCache } from 'lru-cache';
import { KeywardError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { generateSecret, hashSecret, isWellFormedSecret, startOf } from '../core/secrets.ts';
import { iso } from '../core/time.ts';
import { TokenMatcher } from '../core/token-match.ts';
import type { Storage } from '../storage/index.ts';
import type { OperatorTokenRow } from '../storage/repositories/operator-tokens.ts';
import type { OperatorAccess } from '../storage/schema.ts';

export const OPERATOR_PREFIX = 'kwo_';

export interface OperatorIdentity {
  /** The token's id, or null for a token from the environment. */
  id: string | null;
  name: string;
  access: OperatorAccess;
}

export interface PresentedOperatorToken {
  id: string;
  name: string;
  access: OperatorAccess;
  start: string;
  created_at: string;
  revoked_at: string | null;
}

export function presentOperatorToken(row: OperatorTokenRow): PresentedOperatorToken {
  return {
    id: row.id,
    name: row.name,
    access: row.access,
    start: `${OPERATOR_PREFIX}${row.start}`,
    created_at: iso(row.created_at),
    revoked_at: row.revoked_at === null ? null : iso(row.revoked_at),
  };
}

export async function createOperatorToken(
  storage: Storage,
  input: { name: string; access: OperatorAccess },
  now: number,
): Promise<{ token: PresentedOperatorToken; secret: string }> {
  const name = input.name.trim();
  if (name === '' || name.length > 200)
    throw new KeywardError('ERR_VALIDATION', 'name must be 1–200 characters');
  const secret = generateSecret(OPERATOR_PREFIX);
  const row = await storage.operatorTokens.insert({
    id: newId('operatorToken', now),
    name,
    access: input.access,
    hash: hashSecret(secret),
    start: startOf(secret, OPERATOR_PREFIX),
    created_at: now,
    revoked_at: null,
  });
  return { token: presentOperatorToken(row), secret };
}

export async function revokeOperatorToken(
  storage: Storage,
  id: string,
  now: number,
): Promise<OperatorTokenRow> {
  const row = await storage.operatorTokens.get(id);
  if (!row) throw new KeywardError('ERR_NOT_FOUND', `Operator token ${id} not found.`);
  await storage.operatorTokens.revoke(id, now);
  return (await storage.operatorTokens.get(id))!;
}

export interface OperatorAuthOptions {
  storage: Storage;
  serviceToken?: string | undefined;
  adminToken?: string | undefined;
  /** How long a looked-up token is trusted before it is read again (so a revoke reaches every instance). */
  cacheMs?: number;
}

/** Checks a presented bearer token against the environment's tokens and the minted ones. */
export class OperatorAuthenticator {
  private readonly service: TokenMatcher | undefined;
  private readonly admin: TokenMatcher | undefined;
  private readonly minted: LRUCache<string, { identity: OperatorIdentity | null }>;

  constructor(private readonly options: OperatorAuthOptions) {
    this.service = options.serviceToken ? new TokenMatcher(options.serviceToken) : undefined;
    this.admin = options.adminToken ? new TokenMatcher(options.adminToken) : undefined;
    this.minted = new LRUCache({ max: 1_000, ttl: options.cacheMs ?? 1_000 });
  }

  /** The operator behind `presented`, or undefined (unknown, revoked, or not a token at all). */
  async authenticate(presented: string): Promise<OperatorIdentity | undefined> {
    // Constant time for the configured tokens, whatever is presented (see TokenMatcher).
    if (this.admin?.matches(presented)) return { id: null, name: 'admin-token', access: 'admin' };
    if (this.service?.matches(presented)) return { id: null, name: 'service-token', access: 'verify' };
    if (!isWellFormedSecret(presented, [OPERATOR_PREFIX])) return undefined;
    const hash = hashSecret(presented);
    const cached = this.minted.get(hash);
    if (cached) return cached.identity ?? undefined;
    const row = await this.options.storage.operatorTokens.findByHash(hash);
    const identity =
      row && row.revoked_at === null ? { id: row.id, name: row.name, access: row.access } : null;
    this.minted.set(hash, { identity });
    return identity ?? undefined;
  }
}
