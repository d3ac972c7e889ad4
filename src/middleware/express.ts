/**
 * `keyward/express`: protect the routes of your own Express API with Keyward keys.
 *
 *     const auth = keyward({ url: 'https://keys.example.com', token: process.env.KEYWARD_VERIFY_TOKEN });
 *     // or, in process over Keyward's database: keyward({ databaseUrl, redisUrl })
 *     app.use(express.json(), auth);
 *     app.get('/contacts', requireScope('contacts:read'), (req, res) => res.json(req.keyward));
 *
 * `requireScope` (a catalogue scope, or `'any'`) authenticates exactly as Keyward's own /v1 routes:
 * the same refusals, envelope and headers (X-RateLimit-*, Retry-After, Sunset, X-Token-Expires-At),
 * the same failure budget per client address and (in process) usage recorded in batches.
 * `auth.close()` flushes usage and stops polling; call it when the server closes.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type AuthCredential, Authenticator, type AuthIo } from '../auth/authenticate.ts';
import { rateLimitHeaders } from '../core/outcome.ts';
import type { RequiredScope } from '../core/scopes.ts';
import {
  answerFailure,
  type Backend,
  identityOf,
  type KeywardIdentity,
  type KeywardOptions,
  startBackend,
} from './core.ts';

export type { InProcessOptions, KeywardIdentity, KeywardOptions, RemoteOptions } from './core.ts';

declare global {
  namespace Express {
    interface Request {
      /** The caller, after `requireScope` let the request through. */
      keyward?: KeywardIdentity;
    }
  }
}

const kAuth = Symbol('keyward.auth');
const kCredential = Symbol('keyward.credential');
type Marked = Request & { [kAuth]?: Instance; [kCredential]?: AuthCredential; keywardAt?: number };

type Authn = Authenticator<AuthCredential, Request, Response>;

interface Instance {
  ready: Promise<{ backend: Backend; authenticator: Authn }>;
  started: { backend: Backend; authenticator: Authn } | undefined;
}

const io: AuthIo<Request, Response> = {
  ip: (req) => req.ip ?? req.socket.remoteAddress ?? '',
  header: (req, name) => req.headers[name] as string | undefined,
  url: (req) => req.originalUrl,
  setRateLimit: (res, state, now, limited) => {
    res.set(rateLimitHeaders(state, now, limited));
  },
  setHeader: (res, name, value) => {
    res.setHeader(name, value);
  },
  refuse: (res, status, error) => {
    res.status(status).type('application/json; charset=utf-8').send(JSON.stringify({ error }));
  },
  identified: (req, credential, now) => {
    (req as Marked)[kCredential] = credential;
    (req as Marked).keywardAt = now;
    req.keyward = identityOf(credential);
  },
};

export type KeywardMiddleware = RequestHandler & {
  /** Flushes usage and stops polling, Redis and the database. */
  close(): Promise<void>;
  /** Resolves once the backend is started (the database opened); requests wait for it anyway. */
  ready(): Promise<void>;
};

/** The middleware that makes `requireScope` work on the routes after it. */
export function keyward(options: KeywardOptions): KeywardMiddleware {
  const instance: Instance = {
    ready: startBackend(options).then((backend) => {
      const started = { backend, authenticator: new Authenticator(backend.deps, io) as Authn };
      instance.started = started;
      return started;
    }),
    started: undefined,
  };
  // A start that fails is reported by every request (503) and by ready(), not as an unhandled rejection.
  instance.ready.catch(() => {});
  const middleware = ((req: Request, _res: Response, next: NextFunction) => {
    (req as Marked)[kAuth] = instance;
    next();
  }) as KeywardMiddleware;
  middleware.close = async () => {
    const started = await instance.ready.catch(() => undefined);
    await started?.backend.close();
  };
  middleware.ready = async () => {
    await instance.ready;
  };
  return middleware;
}

/** Authenticates the request for `scope` (`'any'`: every valid credential); `req.keyward` is then set. */
export function requireScope(scope: RequiredScope | 'any'): RequestHandler {
  const required = scope === 'any' ? undefined : scope;
  return function keywardScope(req, res, next) {
    const instance = (req as Marked)[kAuth];
    if (instance === undefined) {
      next(new Error('keyward: app.use(keyward({...})) must come before requireScope()'));
      return;
    }
    if (instance.started !== undefined) run(instance.started, req, res, next, required);
    else
      instance.ready.then(
        (started) => run(started, req, res, next, required),
        (err: unknown) => answerFailure(io, res, err),
      );
  };
}

function run(
  started: { backend: Backend; authenticator: Authn },
  req: Request,
  res: Response,
  next: NextFunction,
  scope: string | undefined,
): void {
  const { backend, authenticator } = started;
  const startedAt = performance.now();
  const record = backend.record;
  if (record !== undefined) {
    res.once('finish', () => {
      const credential = (req as Marked)[kCredential];
      if (credential === undefined) return;
      record({
        credentialId: credential.credentialId,
        workspaceId: credential.workspaceId,
        ip: io.ip(req),
        at: (req as Marked).keywardAt!,
        method: req.method,
        route: req.route ? `${req.baseUrl}${(req.route as { path: string }).path}` : req.baseUrl + req.path,
        status: res.statusCode,
        latencyMs: performance.now() - startedAt,
      });
    });
  }
  const now = backend.clock.now();
  // Express parses the body before the route (express.json()): a key in it is spotted at once.
  const body = req.body as unknown;
  const bodyHolds =
    req.headers.authorization === undefined &&
    typeof body === 'object' &&
    body !== null &&
    Object.keys(body).length > 0;
  authenticator
    .authenticate(req, res, now, scope, bodyHolds)
    .then(async (goOn) => {
      if (!goOn) return;
      if (bodyHolds) await authenticator.checkBody(req, res, now, body);
      else next();
    })
    .catch((err: unknown) => answerFailure(io, res, err));
}

export default keyward;
