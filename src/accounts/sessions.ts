/**
 * Dashboard sessions: a random cookie value stored only as its hash, a CSRF token per session, idle
 * and absolute expiry, and sign-in throttling per account and per IP.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { KeywardError } from '../core/errors.ts';
import { hashSecret } from '../core/secrets.ts';
import type { Budget, RateLimiter } from '../limits/rate-limiter.ts';
import type { Storage } from '../storage/index.ts';
import type { MemberRow, SessionRow } from '../storage/repositories/users.ts';
import { decoyHash, verifyPassword } from './passwords.ts';

export const SESSION_COOKIE = 'kw_session';
export const IDLE_TIMEOUT_MS = 12 * 3_600_000;
export const ABSOLUTE_TIMEOUT_MS = 7 * 86_400_000;
const TOUCH_EVERY_MS = 5 * 60_000;

export interface ActiveSession {
  idHash: string;
  /** The person as a member of the session's workspace. */
  user: MemberRow;
  csrfToken: string;
  expiresAt: number;
  /** The operator's page a portal session came from ("Back to <product>"). */
  returnUrl: string | null;
}

export interface SignInLimits {
  perAccount: { limit: number; windowMs: number };
  perIp: { limit: number; windowMs: number };
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  perAccount: { limit: 10, windowMs: 15 * 60_000 },
  perIp: { limit: 50, windowMs: 15 * 60_000 },
};

export class SessionService {
  constructor(
    private readonly storage: Storage,
    private readonly limiter: RateLimiter,
    private readonly clock: Clock,
    private readonly limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS,
  ) {}

  /** Starts a session in `user.workspace_id` for an authenticated person (sign-in, setup, portal). */
  async start(
    user: MemberRow,
    returnUrl: string | null = null,
  ): Promise<{ token: string; session: ActiveSession }> {
    const now = this.clock.now();
    const token = randomBytes(32).toString('base64url');
    const row: SessionRow = {
      id_hash: hashSecret(token),
      user_id: user.id,
      workspace_id: user.workspace_id,
      csrf_token: randomBytes(24).toString('base64url'),
      created_at: now,
      last_seen_at: now,
      expires_at: now + ABSOLUTE_TIMEOUT_MS,
      return_url: returnUrl,
    };
    await this.storage.users.createSession(row);
    return {
      token,
      session: { idHash: row.id_hash, user, csrfToken: row.csrf_token, expiresAt: row.expires_at, returnUrl },
    };
  }

  async signIn(email: string, password: string, ip: string) {
    const now = this.clock.now();
    const budgets: Budget[] = [
      { key: `signin:acct:${email.toLowerCase()}`, ...this.limits.perAccount },
      { key: `signin:ip:${ip}`, ...this.limits.perIp },
    ];
    // Every attempt is charged before the password is checked, and given back when it succeeds: so the
    // budgets count failures, and guesses sent in parallel cannot all pass a check made before any
    // of them has failed.
    const charged = await this.limiter.consume(budgets, now);
    if (!charged.allowed) {
      const state = charged.states[charged.deniedIndex]!;
      throw new KeywardError('ERR_RATE_LIMITED', 'Too many failed sign-in attempts. Try again later.', {
        limit: charged.deniedIndex === 0 ? 'account' : 'ip',
        retry_after: Math.max(1, Math.ceil((state.resetAt - now) / 1000)),
      });
    }
    const person = await this.storage.users.byEmail(email);
    // Hash even for unknown emails and people without a password, so response time does not reveal
    // which accounts exist.
    const ok = await verifyPassword(password, person?.password_hash ?? (await decoyHash()));
    const first =
      ok && person?.password_hash ? (await this.storage.users.membershipsOf(person.id))[0] : undefined;
    const member = first && person ? await this.storage.users.get(first.workspace_id, person.id) : undefined;
    if (!member) throw new KeywardError('ERR_UNAUTHENTICATED', 'Email or password is incorrect.');
    await this.limiter.refund(budgets, now);
    return this.start(member);
  }

  /** Moves a session to another workspace of the same person; 404 when they are not a member. */
  async switchWorkspace(session: ActiveSession, workspaceId: string): Promise<ActiveSession> {
    const user = await this.storage.users.get(workspaceId, session.user.id);
    if (!user) throw new KeywardError('ERR_NOT_FOUND', `Workspace ${workspaceId} not found.`);
    await this.storage.users.setSessionWorkspace(session.idHash, workspaceId, this.clock.now());
    return { ...session, user };
  }

  /** The session behind a cookie value, if it is still valid (idle and absolute expiry). */
  async resolve(token: string | undefined): Promise<ActiveSession | undefined> {
    if (!token || token.length > 100) return undefined;
    const idHash = hashSecret(token);
    const found = await this.storage.users.sessionWithUser(idHash);
    if (!found) return undefined;
    const now = this.clock.now();
    const { session, user } = found;
    if (session.expires_at <= now || session.last_seen_at + IDLE_TIMEOUT_MS <= now) {
      await this.storage.users.deleteSession(idHash);
      return undefined;
    }
    if (now - session.last_seen_at >= TOUCH_EVERY_MS) await this.storage.users.touchSession(idHash, now);
    return {
      idHash,
      user,
      csrfToken: session.csrf_token,
      expiresAt: session.expires_at,
      returnUrl: session.return_url,
    };
  }

  signOut(session: ActiveSession): Promise<void> {
    return this.storage.users.deleteSession(session.idHash);
  }
}

export function csrfMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
