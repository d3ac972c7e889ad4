/**
 * createClient (the public API, `/v1`, with an API key or integration token) and createAdminClient
 * (the admin API, `/admin/v1`, and `POST /v1/keys/verify`, with an operator token). Both are an
 * openapi-fetch client typed from the generated OpenAPI types (`raw`, every path of their part of the
 * document) plus methods for the common calls that return the envelope's `data` and throw
 * KeywardApiError. No type here restates the document: every shape is read from generated/openapi.ts.
 */
import createFetchClient, { type Client } from 'openapi-fetch';
import { KeywardApiError } from './errors.ts';
import type { paths } from './generated/openapi.ts';
import { type Fetch, type RetryOptions, retryingFetch } from './retry.ts';

/** The document's paths whose name starts with `Prefix`, except `Except`. */
type PathsUnder<Prefix extends string, Except extends string = never> = {
  [P in keyof paths as P extends `${Prefix}${string}` ? (P extends Except ? never : P) : never]: paths[P];
};

/** Paths an API key or integration token calls: `/v1/…` but verification and GitHub's scanning hook. */
export type PublicPaths = PathsUnder<'/v1/', '/v1/keys/verify' | `/v1/secret-scanning/${string}`>;
/** Paths an operator token calls: `/admin/v1/…` and `POST /v1/keys/verify`. */
export type AdminPaths = PathsUnder<'/admin/v1/'> & PathsUnder<'/v1/keys/verify'>;

/** The raw typed client of a part of the API: `client.raw.GET('/v1/boards/{id}', {params: {path: {id}}})`. */
export type RawClient<Paths extends {}> = Client<Paths, 'application/json'>;

export interface ClientOptions {
  /** Where Keyward answers, without `/v1`: e.g. `https://keys.example.com` or `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** Sends the requests (default `globalThis.fetch`): for tests, proxies, instrumentation. */
  fetch?: Fetch;
  /** Retry rules (see RetryOptions); `false` sends every request once and returns or throws its answer. */
  retry?: RetryOptions | false;
  /** Headers added to every request (the `Authorization` header is the client's own). */
  headers?: Record<string, string>;
}

/** Per-call options of the convenience methods. */
export interface CallOptions {
  /** Cancels the call, including a wait before a retry. */
  signal?: AbortSignal;
  /** Extra headers for this call. */
  headers?: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------------
// Results: openapi-fetch's `{data, error, response}` to the envelope's data, or KeywardApiError.

interface Settled {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** The success body of an openapi-fetch result type (`{data}` or `{data, next_cursor}`). */
export type SuccessBody<R> = R extends { data: infer B; error?: never } ? B : never;
/** The envelope's `data` of an openapi-fetch result type. */
export type EnvelopeData<R> = [SuccessBody<R>] extends [never]
  ? undefined
  : SuccessBody<R> extends { data: infer D }
    ? D
    : undefined;

function check(result: Settled): void {
  if (result.error !== undefined || !result.response.ok)
    throw KeywardApiError.fromResponse(result.response, result.error);
}

/**
 * The envelope's `data` of a raw call, or KeywardApiError for a non-2xx answer:
 * `const board = await unwrap(client.raw.GET('/v1/boards/{id}', {params: {path: {id}}}))`.
 */
export async function unwrap<R extends Settled>(pending: R | PromiseLike<R>): Promise<EnvelopeData<R>> {
  const result = await pending;
  check(result);
  const body = result.data as { data?: unknown } | undefined;
  return (typeof body === 'object' && body !== null ? body.data : undefined) as EnvelopeData<R>;
}

/** The whole success body of a raw call — for lists, `{data, next_cursor}` — or KeywardApiError. */
export async function unwrapPage<R extends Settled>(pending: R | PromiseLike<R>): Promise<SuccessBody<R>> {
  const result = await pending;
  check(result);
  return result.data as SuccessBody<R>;
}

/**
 * Every item of a paginated list, fetching pages as the loop asks for them:
 * `for await (const board of paginate((cursor) => client.boards.list({cursor, limit: 100}))) …`.
 */
export async function* paginate<T>(
  page: (cursor: string | undefined) => Promise<{ data: T[]; next_cursor: string | null }>,
): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  do {
    const { data, next_cursor } = await page(cursor);
    yield* data;
    cursor = next_cursor ?? undefined;
  } while (cursor !== undefined);
}

// ---------------------------------------------------------------------------------------------------
// Shapes read from the document, by path and method.

type Operation<Ps, P extends keyof Ps, M extends string> = Ps[P] extends { [K in M]: infer O } ? O : never;
/** The query parameters of an operation. */
export type QueryOf<Ps, P extends keyof Ps, M extends string> =
  Operation<Ps, P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
/** The JSON request body of an operation. */
export type BodyOf<Ps, P extends keyof Ps, M extends string> =
  Operation<Ps, P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

function rawClient<Paths extends {}>(options: ClientOptions, secret: string, what: string): RawClient<Paths> {
  if (typeof secret !== 'string' || secret.length === 0) throw new TypeError(`${what} is required`);
  const base =
    typeof options.baseUrl === 'string' && URL.canParse(options.baseUrl) ? new URL(options.baseUrl) : null;
  if (base?.protocol !== 'http:' && base?.protocol !== 'https:')
    throw new TypeError('baseUrl must be an http(s) URL, e.g. http://127.0.0.1:3000');
  const send: Fetch = options.fetch ?? ((request) => globalThis.fetch(request));
  return createFetchClient<Paths, 'application/json'>({
    baseUrl: options.baseUrl,
    fetch: retryingFetch(send, options.retry ?? {}),
    headers: { ...options.headers, authorization: `Bearer ${secret}` },
  });
}

// ---------------------------------------------------------------------------------------------------
// The public API.

/** Options of createClient: an API key (`spk_…`) or integration token (`spi_…`). */
export interface PublicClientOptions extends ClientOptions {
  apiKey: string;
}

/** A client of Keyward's public API (`/v1`), authenticated with an API key or integration token. */
export function createClient(options: PublicClientOptions) {
  const raw = rawClient<PublicPaths>(options, options.apiKey, 'apiKey');
  type Ps = PublicPaths;
  const path = (id: string) => ({ path: { id } });
  return {
    /** The openapi-fetch client: every `/v1` path, typed; results are `{data, error, response}`. */
    raw,
    /** `GET /v1/ping`: the credential's workspace, id, kind, name and scopes. */
    ping: (init?: CallOptions) => unwrap(raw.GET('/v1/ping', { ...init })),
    boards: {
      list: (query?: QueryOf<Ps, '/v1/boards', 'get'>, init?: CallOptions) =>
        unwrapPage(raw.GET('/v1/boards', { ...init, params: { query } })),
      create: (body: BodyOf<Ps, '/v1/boards', 'post'>, init?: CallOptions) =>
        unwrap(raw.POST('/v1/boards', { ...init, body })),
      get: (id: string, init?: CallOptions) =>
        unwrap(raw.GET('/v1/boards/{id}', { ...init, params: path(id) })),
      update: (id: string, body: BodyOf<Ps, '/v1/boards/{id}', 'patch'>, init?: CallOptions) =>
        unwrap(raw.PATCH('/v1/boards/{id}', { ...init, params: path(id), body })),
      delete: (id: string, init?: CallOptions) =>
        unwrap(raw.DELETE('/v1/boards/{id}', { ...init, params: path(id) })),
    },
    posts: {
      list: (boardId: string, query?: QueryOf<Ps, '/v1/boards/{id}/posts', 'get'>, init?: CallOptions) =>
        unwrapPage(raw.GET('/v1/boards/{id}/posts', { ...init, params: { ...path(boardId), query } })),
      create: (boardId: string, body: BodyOf<Ps, '/v1/boards/{id}/posts', 'post'>, init?: CallOptions) =>
        unwrap(raw.POST('/v1/boards/{id}/posts', { ...init, params: path(boardId), body })),
      get: (id: string, init?: CallOptions) =>
        unwrap(raw.GET('/v1/posts/{id}', { ...init, params: path(id) })),
      update: (id: string, body: BodyOf<Ps, '/v1/posts/{id}', 'patch'>, init?: CallOptions) =>
        unwrap(raw.PATCH('/v1/posts/{id}', { ...init, params: path(id), body })),
      delete: (id: string, init?: CallOptions) =>
        unwrap(raw.DELETE('/v1/posts/{id}', { ...init, params: path(id) })),
    },
    votes: {
      list: (postId: string, query?: QueryOf<Ps, '/v1/posts/{id}/votes', 'get'>, init?: CallOptions) =>
        unwrapPage(raw.GET('/v1/posts/{id}/votes', { ...init, params: { ...path(postId), query } })),
      create: (postId: string, body: BodyOf<Ps, '/v1/posts/{id}/votes', 'post'>, init?: CallOptions) =>
        unwrap(raw.POST('/v1/posts/{id}/votes', { ...init, params: path(postId), body })),
      delete: (id: string, init?: CallOptions) =>
        unwrap(raw.DELETE('/v1/votes/{id}', { ...init, params: path(id) })),
    },
    /** Webhook endpoints: integration tokens only (an API key gets 403 ERR_FORBIDDEN). */
    webhooks: {
      list: (query?: QueryOf<Ps, '/v1/webhooks', 'get'>, init?: CallOptions) =>
        unwrapPage(raw.GET('/v1/webhooks', { ...init, params: { query } })),
      create: (body: BodyOf<Ps, '/v1/webhooks', 'post'>, init?: CallOptions) =>
        unwrap(raw.POST('/v1/webhooks', { ...init, body })),
      get: (id: string, init?: CallOptions) =>
        unwrap(raw.GET('/v1/webhooks/{id}', { ...init, params: path(id) })),
      update: (id: string, body: BodyOf<Ps, '/v1/webhooks/{id}', 'patch'>, init?: CallOptions) =>
        unwrap(raw.PATCH('/v1/webhooks/{id}', { ...init, params: path(id), body })),
      delete: (id: string, init?: CallOptions) =>
        unwrap(raw.DELETE('/v1/webhooks/{id}', { ...init, params: path(id) })),
      deliveries: (
        id: string,
        query?: QueryOf<Ps, '/v1/webhooks/{id}/deliveries', 'get'>,
        init?: CallOptions,
      ) => unwrapPage(raw.GET('/v1/webhooks/{id}/deliveries', { ...init, params: { ...path(id), query } })),
    },
  };
}

export type KeywardClient = ReturnType<typeof createClient>;

// ---------------------------------------------------------------------------------------------------
// The admin API and verification.

/** Options of createAdminClient: an operator token (`kwo_…`; `verify` access is enough for verify). */
export interface AdminClientOptions extends ClientOptions {
  token: string;
}

type VerifyBody = BodyOf<AdminPaths, '/v1/keys/verify', 'post'>;
/**
 * The body of verify. `scope` takes any string besides the document's: the generated types know the
 * built-in catalogue, a deployment's KEYWARD_SCOPES has its own resources.
 */
export type VerifyInput = Omit<VerifyBody, 'scope'> & {
  scope?: (VerifyBody extends { scope?: infer S } ? NonNullable<S> : never) | (string & {});
};

/** A client of the admin API (`/admin/v1`) and `POST /v1/keys/verify`, with an operator token. */
export function createAdminClient(options: AdminClientOptions) {
  const raw = rawClient<AdminPaths>(options, options.token, 'token');
  type Ps = AdminPaths;
  const path = (id: string) => ({ path: { id } });
  return {
    /** The openapi-fetch client: every `/admin/v1` path and `/v1/keys/verify`, typed. */
    raw,
    /**
     * `POST /v1/keys/verify`: `{valid, code, workspace_id, credential_id, scopes, ratelimit, …}`. A key
     * that is not valid is an answer (`valid: false`, `code`), not an error. Counts against the key's
     * budget, so it is never sent twice after a network error or 5xx.
     */
    verify: (body: VerifyInput, init?: CallOptions) =>
      unwrap(raw.POST('/v1/keys/verify', { ...init, body: body as VerifyBody })),
    workspaces: {
      create: (body: BodyOf<Ps, '/admin/v1/workspaces', 'post'>, init?: CallOptions) =>
        unwrap(raw.POST('/admin/v1/workspaces', { ...init, body })),
      /** `?external_id=` finds the workspace of one of your customers. */
      list: (query?: QueryOf<Ps, '/admin/v1/workspaces', 'get'>, init?: CallOptions) =>
        unwrapPage(raw.GET('/admin/v1/workspaces', { ...init, params: { query } })),
      get: (id: string, init?: CallOptions) =>
        unwrap(raw.GET('/admin/v1/workspaces/{id}', { ...init, params: path(id) })),
      update: (id: string, body: BodyOf<Ps, '/admin/v1/workspaces/{id}', 'patch'>, init?: CallOptions) =>
        unwrap(raw.PATCH('/admin/v1/workspaces/{id}', { ...init, params: path(id), body })),
      /** Revokes every credential of the workspace at once, then deletes it. */
      delete: (id: string, init?: CallOptions) =>
        unwrap(raw.DELETE('/admin/v1/workspaces/{id}', { ...init, params: path(id) })),
    },
    keys: {
      list: (
        workspaceId: string,
        query?: QueryOf<Ps, '/admin/v1/workspaces/{id}/keys', 'get'>,
        init?: CallOptions,
      ) =>
        unwrapPage(
          raw.GET('/admin/v1/workspaces/{id}/keys', { ...init, params: { ...path(workspaceId), query } }),
        ),
      /** The answer holds `secret`, shown this once. */
      create: (
        workspaceId: string,
        body: BodyOf<Ps, '/admin/v1/workspaces/{id}/keys', 'post'>,
        init?: CallOptions,
      ) => unwrap(raw.POST('/admin/v1/workspaces/{id}/keys', { ...init, params: path(workspaceId), body })),
      revoke: (id: string, init?: CallOptions) =>
        unwrap(raw.POST('/admin/v1/keys/{id}/revoke', { ...init, params: path(id) })),
    },
    members: {
      list: (
        workspaceId: string,
        query?: QueryOf<Ps, '/admin/v1/workspaces/{id}/members', 'get'>,
        init?: CallOptions,
      ) =>
        unwrapPage(
          raw.GET('/admin/v1/workspaces/{id}/members', { ...init, params: { ...path(workspaceId), query } }),
        ),
      add: (
        workspaceId: string,
        body: BodyOf<Ps, '/admin/v1/workspaces/{id}/members', 'post'>,
        init?: CallOptions,
      ) =>
        unwrap(raw.POST('/admin/v1/workspaces/{id}/members', { ...init, params: path(workspaceId), body })),
      update: (
        workspaceId: string,
        userId: string,
        body: BodyOf<Ps, '/admin/v1/workspaces/{id}/members/{user_id}', 'patch'>,
        init?: CallOptions,
      ) =>
        unwrap(
          raw.PATCH('/admin/v1/workspaces/{id}/members/{user_id}', {
            ...init,
            params: { path: { id: workspaceId, user_id: userId } },
            body,
          }),
        ),
      remove: (workspaceId: string, userId: string, init?: CallOptions) =>
        unwrap(
          raw.DELETE('/admin/v1/workspaces/{id}/members/{user_id}', {
            ...init,
            params: { path: { id: workspaceId, user_id: userId } },
          }),
        ),
    },
    portalSessions: {
      /** A one-time sign-in link (`url`, `expires_at`) for a person of the workspace. */
      create: (
        workspaceId: string,
        body: BodyOf<Ps, '/admin/v1/workspaces/{id}/portal-sessions', 'post'>,
        init?: CallOptions,
      ) =>
        unwrap(
          raw.POST('/admin/v1/workspaces/{id}/portal-sessions', { ...init, params: path(workspaceId), body }),
        ),
    },
    /** `GET /admin/v1/usage`: request counts per workspace and hour or day, for billing. */
    usage: (query?: QueryOf<Ps, '/admin/v1/usage', 'get'>, init?: CallOptions) =>
      unwrap(raw.GET('/admin/v1/usage', { ...init, params: { query } })),
    /** `GET /admin/v1/audit-log`: one page of every workspace's entries, oldest first. */
    auditLog: (query?: QueryOf<Ps, '/admin/v1/audit-log', 'get'>, init?: CallOptions) =>
      unwrapPage(raw.GET('/admin/v1/audit-log', { ...init, params: { query } })),
  };
}

export type KeywardAdminClient = ReturnType<typeof createAdminClient>;
