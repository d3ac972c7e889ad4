/**
 * One request's bearer authentication, framework-neutral: where the secret travelled, the failure
 * budget of the client address, verification, and what the outcome answers. Keyward's own bearer
 * hook (`http/plugins/auth.ts`) and the `keyward/fastify` and `keyward/express` middlewares run this
 * same code through a small adapter (`AuthIo`), so refusals and headers are identical everywhere.
 */
import type { RateLimitSpec } from '../core/durations.ts';
import {
  bearerSecret,
  type ErrorBody,
  errorBody,
  graceHeaders,
  INVALID_KEY,
  MALFORMED_HEADER,
  MISSING_CREDENTIALS,
  refusalOf,
  secretSpotter,
  statusOf,
  tooManyFailures,
  WRONG_PLACE,
} from '../core/outcome.ts';
import type { IpBlocks } from '../limits/ip-blocks.ts';
import type { BudgetState, RateLimiter } from '../limits/rate-limiter.ts';

/** What every path knows of an identified credential. `CachedCredential` is one. */
export interface AuthCredential {
  credentialId: string;
  workspaceId: string;
  kind: 'api_key' | 'integration_token';
  scopes: readonly string[];
  /** When this secret stops working because it was rotated later, else null. */
  secretEndsAt: number | null;
}

/**
 * A verification's outcome, by code. Only an identified credential has a budget to report; a
 * valid outcome may carry more (`Valid`: the in-process verifier adds the key's own budget).
 */
export type AuthOutcome<
  K extends AuthCredential = AuthCredential,
  Valid extends object = { keyBudget?: BudgetState | undefined },
> =
  | { code: 'UNAUTHENTICATED' }
  | {
      code: 'KEY_EXPIRED' | 'KEY_REVOKED' | 'PLAN_REQUIRED' | 'SCOPE_INSUFFICIENT';
      credential: K;
      /** The tighter of the key and workspace budgets. */
      ratelimit: BudgetState;
    }
  | { code: 'RATE_LIMITED'; credential: K; ratelimit: BudgetState; limitedBy: 'key' | 'workspace' }
  | ({ code: 'VALID'; credential: K; ratelimit: BudgetState } & Valid);

export type ValidOutcome<K extends AuthCredential = AuthCredential> = Extract<
  AuthOutcome<K>,
  { code: 'VALID' }
>;

/** `CredentialVerifier` in process; the verify API from another process (`middleware/remote.ts`). */
export interface AuthVerifier<K extends AuthCredential = AuthCredential> {
  verify(secret: string, now: number, scope?: string): Promise<AuthOutcome<K>>;
  /** A secret this process knows to be active: it passes even from a blocked address (shared NAT). */
  knownActive(secret: string, now: number): boolean;
}

/** How one framework's request and reply are read and answered. */
export interface AuthIo<Req, Res> {
  ip(req: Req): string;
  header(
    req: Req,
    name: 'authorization' | 'cookie' | 'content-length' | 'transfer-encoding',
  ): string | undefined;
  /** The raw URL (path and query). */
  url(req: Req): string;
  setRateLimit(res: Res, state: BudgetState, now: number, limited: boolean): void;
  setHeader(res: Res, name: string, value: string): void;
  /** Answers the error envelope with this status; the request ends here. */
  refuse(res: Res, status: number, error: ErrorBody): void;
  /** The credential a request presented, set before any answer (its usage counts refusals too). */
  identified(req: Req, credential: AuthCredential, now: number): void;
}

export interface AuthenticatorDeps<K extends AuthCredential> {
  verifier: AuthVerifier<K>;
  limiter: RateLimiter;
  ipBlocks: IpBlocks;
  prefixes: readonly string[];
  failureLimit: RateLimitSpec;
  /** Called for every valid request whose key budget was charged (budget alerts). */
  onValid?: ((outcome: ValidOutcome<K>) => void) | undefined;
}

/**
 * One adapter's authenticator. Unexpected failures (the database is down) are thrown, for the
 * adapter or the framework's error path to answer.
 */
export class Authenticator<K extends AuthCredential, Req, Res> {
  private readonly spot: ReturnType<typeof secretSpotter>;

  constructor(
    private readonly deps: AuthenticatorDeps<K>,
    private readonly io: AuthIo<Req, Res>,
  ) {
    this.spot = secretSpotter(deps.prefixes);
  }

  /**
   * Authenticates one request for `scope` (`undefined` = any valid credential): true when it may go
   * on, false when it has been answered. `bodyMayFollow`: a request without an Authorization header
   * but with a body goes on to `checkBody`, which says so when the body holds the key.
   */
  async authenticate(
    req: Req,
    res: Res,
    now: number,
    scope: string | undefined,
    bodyMayFollow: boolean,
  ): Promise<boolean> {
    const io = this.io;
    const header = io.header(req, 'authorization');
    if (!this.deps.ipBlocks.empty && this.ipBlocked(req, res, now, header)) return false;
    const url = io.url(req);
    if ((url.includes('?') && this.spot.inQueryString(url)) || this.spot.cookie(io.header(req, 'cookie'))) {
      await this.refuseFailure(req, res, now, WRONG_PLACE);
      return false;
    }
    if (!header) {
      if (bodyMayFollow && (io.header(req, 'content-length') || io.header(req, 'transfer-encoding')))
        return true;
      io.refuse(res, 401, errorBody('ERR_UNAUTHENTICATED', MISSING_CREDENTIALS));
      return false;
    }
    const secret = bearerSecret(header);
    if (secret === undefined) {
      await this.refuseFailure(req, res, now, MALFORMED_HEADER);
      return false;
    }
    const outcome = await this.deps.verifier.verify(secret, now, scope);
    if (outcome.code === 'UNAUTHENTICATED') {
      await this.refuseFailure(req, res, now, INVALID_KEY);
      return false;
    }
    return this.conclude(outcome, req, res, now, scope);
  }

  /** After the body was parsed, for a request that came without an Authorization header: always answers. */
  async checkBody(req: Req, res: Res, now: number, body: unknown): Promise<void> {
    if (this.spot.anyValue(body)) {
      await this.refuseFailure(req, res, now, WRONG_PLACE);
      return;
    }
    this.io.refuse(res, 401, errorBody('ERR_UNAUTHENTICATED', MISSING_CREDENTIALS));
  }

  /** What an identified credential's outcome decided, headers set: true to go on, else answered. */
  private conclude(
    outcome: Exclude<AuthOutcome<K>, { code: 'UNAUTHENTICATED' }>,
    req: Req,
    res: Res,
    now: number,
    scope: string | undefined,
  ): boolean {
    const io = this.io;
    const credential = outcome.credential;
    io.setRateLimit(res, outcome.ratelimit, now, outcome.code === 'RATE_LIMITED');
    // Set for every identified credential, so failed calls (403, 429) appear in its usage too.
    io.identified(req, credential, now);
    if (outcome.code === 'VALID') {
      this.deps.onValid?.(outcome);
      // A token replaced by "rotate later" still works; tell its caller until when.
      if (credential.secretEndsAt !== null)
        for (const [name, value] of Object.entries(graceHeaders(credential.secretEndsAt)))
          io.setHeader(res, name, value);
      return true;
    }
    const error = refusalOf(outcome, credential.kind, scope ?? 'any');
    io.refuse(res, statusOf(error.code), error);
    return false;
  }

  /**
   * A credential was presented and failed (unknown, or sent the wrong way): it counts against the
   * client's failure budget, whose state the rate-limit headers report; past it, 429.
   */
  private async refuseFailure(req: Req, res: Res, now: number, message: string): Promise<void> {
    const io = this.io;
    const ip = io.ip(req);
    const { limit, windowMs } = this.deps.failureLimit;
    const counted = await this.deps.limiter.consume([{ key: `ip:${ip}`, limit, windowMs }], now);
    const state = counted.states[0]!;
    io.setRateLimit(res, state, now, !counted.allowed);
    if (!counted.allowed) {
      this.deps.ipBlocks.block(ip, state.resetAt, now);
      io.refuse(res, 429, tooManyFailures());
      return;
    }
    io.refuse(res, 401, errorBody('ERR_UNAUTHENTICATED', message));
  }

  /** Refuses a blocked address, unless the request carries a known, active key (a shared NAT address). */
  private ipBlocked(req: Req, res: Res, now: number, header: string | undefined): boolean {
    const until = this.deps.ipBlocks.blockedUntil(this.io.ip(req), now);
    if (until === undefined) return false;
    const secret = header === undefined ? undefined : bearerSecret(header);
    if (secret !== undefined && this.deps.verifier.knownActive(secret, now)) return false;
    const { limit } = this.deps.failureLimit;
    this.io.setRateLimit(res, { key: '', limit, remaining: 0, resetAt: until }, now, true);
    this.io.refuse(res, 429, tooManyFailures());
    return true;
  }
}
