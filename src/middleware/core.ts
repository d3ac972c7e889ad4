/**
 * What `keyward/fastify` and `keyward/express` share: the two ways of verifying (in process over
 * Keyward's own database, or through a running Keyward's `POST /v1/keys/verify`), the identity a
 * handler sees, and answering refusals. The decisions themselves are `auth/authenticate.ts`'s, the
 * same code Keyward's own /v1 routes run.
 */
import type { AuthCredential, AuthenticatorDeps, AuthVerifier } from '../auth/authenticate.ts';
import { parseRateLimit, type RateLimitSpec } from '../core/durations.ts';
import { type ErrorBody, errorBody } from '../core/outcome.ts';
import { IpBlocks } from '../limits/ip-blocks.ts';
import { MemoryRateLimiter } from '../limits/memory-rate-limiter.ts';
import { isUnavailable } from '../storage/errors.ts';
import type { UsageEvent } from '../usage/recorder.ts';
import { RemoteVerifier } from './remote.ts';

/** What a handler behind the middleware sees of the caller (`request.keyward`, `req.keyward`). */
export interface KeywardIdentity {
  workspaceId: string;
  credentialId: string;
  kind: 'api_key' | 'integration_token';
  scopes: readonly string[];
}

/** Verify through a running Keyward (`POST /v1/keys/verify`) with a verify operator token. */
export interface RemoteOptions {
  /** Keyward's base URL, e.g. `https://keys.example.com`. */
  url: string;
  /** An operator token with `verify` (or `admin`) access, or KEYWARD_SERVICE_TOKEN. */
  token: string;
  /** Failed authentications allowed per client address, counted in this process (default `100/m`). */
  authFailureLimit?: string;
  /** Prefixes of the secrets to refuse in query strings, cookies and bodies (default KEYWARD_KEY_PREFIX / KEYWARD_TOKEN_PREFIX or `spk_`, `spi_`). */
  prefixes?: readonly string[];
  /** Milliseconds to wait for Keyward (default 5000); past it, 503. */
  timeoutMs?: number;
}

/** Verify in this process, over Keyward's own database (and Redis), as `keyward serve` does. */
export interface InProcessOptions {
  /** `sqlite:PATH` or `postgres://…`: the database `keyward serve` uses. */
  databaseUrl: string;
  /** Redis shared with `keyward serve`: the same rate limits, invalidations at once, IP blocks. */
  redisUrl?: string | undefined;
  /** Namespace of Keyward's Redis keys and channels (default `keyward:`, the server's). */
  redisPrefix?: string | undefined;
}

export type KeywardOptions = RemoteOptions | InProcessOptions;

export const isRemote = (options: KeywardOptions): options is RemoteOptions =>
  typeof (options as RemoteOptions).url === 'string';

/** A started verification backend: what the authenticator needs, usage recording, and close. */
export interface Backend {
  deps: AuthenticatorDeps<AuthCredential>;
  clock: { now(): number };
  /** Records the use of an identified credential (in process; the verify API records its own). */
  record: ((event: UsageEvent) => void) | undefined;
  /** Flushes usage and stops polling, Redis and the database. */
  close(): Promise<void>;
}

function defaultPrefixes(): string[] {
  return [process.env.KEYWARD_KEY_PREFIX || 'spk_', process.env.KEYWARD_TOKEN_PREFIX || 'spi_'];
}

function remoteBackend(options: RemoteOptions): Backend {
  const failureLimit: RateLimitSpec | undefined = parseRateLimit(options.authFailureLimit ?? '100/m');
  if (!failureLimit)
    throw new Error(`keyward: authFailureLimit "${options.authFailureLimit}" is not <n>/<window>`);
  const verifier = new RemoteVerifier(options);
  const limiter = new MemoryRateLimiter();
  return {
    deps: {
      verifier,
      limiter,
      ipBlocks: new IpBlocks(),
      prefixes: options.prefixes ?? defaultPrefixes(),
      failureLimit,
    },
    clock: { now: Date.now },
    record: undefined,
    async close() {
      verifier.close();
      await limiter.close();
    },
  };
}

async function inProcessBackend(options: InProcessOptions): Promise<Backend> {
  // The server's own composition (storage, cache, invalidation bus, limiter, IP blocks, usage),
  // loaded on demand so that remote mode never loads the database drivers.
  const [{ loadConfig }, { compose }] = await Promise.all([
    import('../config/config.ts'),
    import('../server/compose.ts'),
  ]);
  const config = loadConfig(process.env, {
    databaseUrl: options.databaseUrl,
    redisUrl: options.redisUrl,
    logLevel: 'silent',
  });
  const composed = await compose(config, {
    redisPrefix: options.redisPrefix,
    jobs: false,
    webhookWorker: false,
  });
  const { verifier, limiter, ipBlocks, usage, clock } = composed.deps;
  return {
    deps: {
      verifier: verifier as AuthVerifier<AuthCredential>,
      limiter,
      ipBlocks,
      prefixes: [config.keyPrefix, config.tokenPrefix],
      failureLimit: config.authFailureLimit,
      onValid: ({ credential, keyBudget }) => {
        const entry = credential as Parameters<typeof usage.budgetCharged>[0];
        if (entry.alertBudgetPercent) usage.budgetCharged(entry, keyBudget);
      },
    },
    clock,
    record: (event) => usage.record(event),
    close: () => composed.close(),
  };
}

export function startBackend(options: KeywardOptions): Promise<Backend> {
  if (isRemote(options)) return Promise.resolve(remoteBackend(options));
  if (typeof (options as InProcessOptions).databaseUrl !== 'string')
    return Promise.reject(
      new Error('keyward: pass {url, token} (remote) or {databaseUrl, redisUrl?} (in process)'),
    );
  return inProcessBackend(options);
}

const identities = new WeakMap<AuthCredential, KeywardIdentity>();

/** The identity of a credential, made once per cache entry (an entry never changes). */
export function identityOf(credential: AuthCredential): KeywardIdentity {
  let identity = identities.get(credential);
  if (identity === undefined) {
    identity = {
      workspaceId: credential.workspaceId,
      credentialId: credential.credentialId,
      kind: credential.kind,
      scopes: credential.scopes,
    };
    identities.set(credential, identity);
  }
  return identity;
}

/** The answer to an unexpected failure while verifying: 503 when Keyward's storage or API is away. */
export function failureAnswer(err: unknown): { status: number; error: ErrorBody; retryAfter?: string } {
  if (isUnavailable(err) || (err as { keywardUnavailable?: boolean })?.keywardUnavailable)
    return { status: 503, error: errorBody('ERR_UNAVAILABLE'), retryAfter: '5' };
  return { status: 500, error: errorBody('ERR_INTERNAL') };
}

/** How a middleware answers: status, headers and the error envelope. */
export interface Answerer<Res> {
  setHeader(res: Res, name: string, value: string): void;
  refuse(res: Res, status: number, error: ErrorBody): void;
}

/** Answers an unexpected failure while verifying (see `failureAnswer`). */
export function answerFailure<Res>(io: Answerer<Res>, res: Res, err: unknown): void {
  const answer = failureAnswer(err);
  if (answer.retryAfter) io.setHeader(res, 'retry-after', answer.retryAfter);
  io.refuse(res, answer.status, answer.error);
}
