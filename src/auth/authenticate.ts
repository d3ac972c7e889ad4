/**
 * One request's bearer authentication, framework-neutral: where the secret travelled, the failure
 * budget of the client address, verification, and what the outcome answers. Keyward's own bearer
 * hook (`http/plugins/auth.ts`) and the `keyward/fastify` and `keyward/express` middlewares run this
 * same code through a small adapter (`AuthIo`), so refusals and headers are identical everywhere.
 *
 * Callback style and allocation-free for a cached key on the in-process limiter: the adapter's
 * functions take the framework's own request, reply and continuation as they are.
 */
import type { Socket } from 'node:net';
import type { RateLimitSpec } from '../core/durations.ts';
import { memoOfConnection, type SecretMemo } from '../credentials/secret-memo.ts';
import type { VerifyCode } from '../credentials/verify.ts';
import type { IpBlocks } from '../limits/ip-blocks.ts';
import type { BudgetState, MaybePromise, RateLimiter } from '../limits/rate-limiter.ts';
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
} from './outcome.ts';

/** What every path knows of an identified credential. `CachedCredential` is one. */
export interface AuthCredential {
  credentialId: string;
  workspaceId: string;
  kind: 'api_key' | 'integration_token';
  scopes: readonly string[];
  /** When this secret stops working because it was rotated later, else null. */
  secretEndsAt: number | null;
}

/** A verification's outcome. `VerifyResult` is one. */
export interface AuthOutcome<K extends AuthCredential = AuthCredential> {
  code: VerifyCode;
  credential: K | undefined;
  ratelimit: BudgetState | undefined;
  /** The key's own budget after this request, when it was charged (budget alerts). */
  keyBudget?: BudgetState | undefined;
  limitedBy: 'key' | 'workspace' | undefined;
}

/** `CredentialVerifier` in process; the verify API from another process (`middleware/remote.ts`). */
export interface AuthVerifier<K extends AuthCredential = AuthCredential> {
  verify(secret: string, now: number, scope?: string, memo?: SecretMemo): MaybePromise<AuthOutcome<K>>;
  /** A secret this process knows to be active: it passes even from a blocked address (shared NAT). */
  knownActive(secret: string, now: number): boolean;
}

/**
 * How one framework's request and reply are read and answered. Each function takes the framework's
 * request, reply and continuation (`done`/`next`) as they are, so no object is made per request.
 */
export interface AuthIo<Req, Res, Next> {
  ip(req: Req): string;
  header(
    req: Req,
    name: 'authorization' | 'cookie' | 'content-length' | 'transfer-encoding',
  ): string | undefined;
  /** The raw URL (path and query). */
  url(req: Req): string;
  /** The connection, whose memo spares the hash of a secret sent again on it. */
  socket(req: Req): Socket | undefined;
  setRateLimit(res: Res, state: BudgetState, now: number, limited: boolean): void;
  setHeader(res: Res, name: string, value: string): void;
  /** Answers the error envelope with this status; the request ends here. */
  refuse(res: Res, status: number, error: ErrorBody): void;
  /** The credential a request presented, set before any answer (its usage counts refusals too). */
  identified(req: Req, credential: AuthCredential, now: number): void;
  /** Lets the request go on (to the handler, or to the body check). */
  pass(next: Next): void;
  /** An unexpected failure (the database is down): answered by the adapter or the framework's error path. */
  fail(res: Res, next: Next, err: unknown): void;
}

export interface AuthenticatorDeps<K extends AuthCredential> {
  verifier: AuthVerifier<K>;
  limiter: RateLimiter;
  ipBlocks: IpBlocks;
  prefixes: readonly string[];
  failureLimit: RateLimitSpec;
  /** Called for every valid request whose key budget was charged (budget alerts). */
  onValid?: ((credential: K, outcome: AuthOutcome<K>) => void) | undefined;
}

export class Authenticator<K extends AuthCredential, Req, Res, Next> {
  private readonly spot: ReturnType<typeof secretSpotter>;

  constructor(
    private readonly deps: AuthenticatorDeps<K>,
    private readonly io: AuthIo<Req, Res, Next>,
  ) {
    this.spot = secretSpotter(deps.prefixes);
  }

  /**
   * Authenticates one request for `scope` (`undefined` = any valid credential). `bodyMayFollow`: a
   * request without an Authorization header but with a body passes to `checkBody`, which says so
   * when the body holds the key.
   */
  authenticate(
    req: Req,
    res: Res,
    next: Next,
    now: number,
    scope: string | undefined,
    bodyMayFollow: boolean,
  ): void {
    const io = this.io;
    const header = io.header(req, 'authorization');
    if (!this.deps.ipBlocks.empty && this.ipBlocked(req, res, now, header)) return;
    const url = io.url(req);
    if ((url.includes('?') && this.spot.inQueryString(url)) || this.spot.cookie(io.header(req, 'cookie'))) {
      this.refuseFailure(req, res, next, now, WRONG_PLACE);
      return;
    }
    if (!header) {
      if (bodyMayFollow && (io.header(req, 'content-length') || io.header(req, 'transfer-encoding'))) {
        io.pass(next);
        return;
      }
      io.refuse(res, 401, errorBody('ERR_UNAUTHENTICATED', MISSING_CREDENTIALS));
      return;
    }
    const secret = bearerSecret(header);
    if (secret === undefined) {
      this.refuseFailure(req, res, next, now, MALFORMED_HEADER);
      return;
    }
    const socket = io.socket(req);
    let result: MaybePromise<AuthOutcome<K>>;
    try {
      result = this.deps.verifier.verify(
        secret,
        now,
        scope,
        socket === undefined ? undefined : memoOfConnection(socket),
      );
    } catch (err) {
      io.fail(res, next, err);
      return;
    }
    if (result instanceof Promise) {
      result
        .then((r) => this.conclude(r, req, res, next, now, scope))
        .catch((err: unknown) => io.fail(res, next, err));
    } else {
      this.conclude(result, req, res, next, now, scope);
    }
  }

  /** After the body was parsed, for a request that came without an Authorization header. */
  checkBody(req: Req, res: Res, next: Next, now: number, body: unknown): void {
    if (this.spot.anyValue(body)) {
      this.refuseFailure(req, res, next, now, WRONG_PLACE);
      return;
    }
    this.io.refuse(res, 401, errorBody('ERR_UNAUTHENTICATED', MISSING_CREDENTIALS));
  }

  /** What a verification decided, once the rate-limit headers are set: pass, or answer with an error. */
  conclude(
    result: AuthOutcome<K>,
    req: Req,
    res: Res,
    next: Next,
    now: number,
    scope: string | undefined,
  ): void {
    const io = this.io;
    if (result.ratelimit) io.setRateLimit(res, result.ratelimit, now, result.code === 'RATE_LIMITED');
    const credential = result.credential;
    // Set for every identified credential, so failed calls (403, 429) appear in its usage too.
    if (credential !== undefined) io.identified(req, credential, now);
    if (result.code === 'VALID') {
      this.deps.onValid?.(credential!, result);
      // A token replaced by "rotate later" still works; tell its caller until when.
      const endsAt = credential!.secretEndsAt;
      if (endsAt !== null) {
        const grace = graceHeaders(endsAt);
        io.setHeader(res, 'sunset', grace.sunset!);
        io.setHeader(res, 'x-token-expires-at', grace['x-token-expires-at']!);
      }
      io.pass(next);
      return;
    }
    if (result.code === 'UNAUTHENTICATED') {
      this.refuseFailure(req, res, next, now, INVALID_KEY);
      return;
    }
    const error = refusalOf(
      { code: result.code, kind: credential?.kind, limitedBy: result.limitedBy },
      scope ?? 'any',
    );
    io.refuse(res, statusOf(error.code), error);
  }

  /**
   * A credential was presented and failed (unknown, or sent the wrong way): it counts against the
   * client's failure budget, whose state the rate-limit headers report; past it, 429.
   */
  private refuseFailure(req: Req, res: Res, next: Next, now: number, message: string): void {
    const io = this.io;
    const ip = io.ip(req);
    const { limit, windowMs } = this.deps.failureLimit;
    const counted = this.deps.limiter.consume([{ key: `ip:${ip}`, limit, windowMs }], now);
    const answer = (allowed: boolean, state: BudgetState) => {
      io.setRateLimit(res, state, now, !allowed);
      if (!allowed) {
        this.deps.ipBlocks.block(ip, state.resetAt, now);
        io.refuse(res, 429, tooManyFailures());
        return;
      }
      io.refuse(res, 401, errorBody('ERR_UNAUTHENTICATED', message));
    };
    if (counted instanceof Promise) {
      counted.then((r) => answer(r.allowed, r.states[0]!)).catch((err: unknown) => io.fail(res, next, err));
    } else {
      answer(counted.allowed, counted.states[0]!);
    }
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
