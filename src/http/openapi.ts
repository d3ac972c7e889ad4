/**
 * The OpenAPI document's finishing: what @fastify/swagger and fastify-type-provider-zod build from the
 * route schemas, completed once when the document is first asked for (never per request):
 *
 * - per route (`routeTransform`): `security` from how the route authenticates (`config.scope` →
 *   bearer, `config.role` → the session cookie or none for `public`, /admin/v1 → the operator token),
 *   the operationId (src/contract/operations.ts), the `x-csrf-token` header on state-changing session
 *   operations;
 * - on the whole document (`documentTransform`): `servers` (KEYWARD_PUBLIC_URL), response headers
 *   (X-RateLimit-*, Retry-After, Sunset, X-Token-Expires-At), 413/415/500/503 where they can happen,
 *   a description on every response, and only the component schemas something refers to (the type
 *   provider emits an input and an output variant of every registered schema).
 */
import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { fallbackOperationId, OPERATION_IDS } from '../contract/operations.ts';

/** How an operation authenticates; carried from the route to the document as `x-keyward-auth`. */
export type OperationAuth = 'bearer' | 'operator' | 'session' | 'public';

const AUTH_KEY = 'x-keyward-auth';

const SECURITY: Record<OperationAuth, Record<string, string[]>[]> = {
  bearer: [{ bearerAuth: [] }],
  operator: [{ operatorToken: [] }],
  session: [{ sessionCookie: [] }],
  public: [],
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

type Json = Record<string, unknown>;

function authOf(security: unknown, config: Json | undefined, url: string): OperationAuth {
  if (Array.isArray(security)) {
    if (security.length === 0) return 'public';
    const names = security.flatMap((s) => Object.keys(s as Json));
    if (names.includes('bearerAuth')) return 'bearer';
    if (names.includes('operatorToken')) return 'operator';
    if (names.includes('sessionCookie')) return 'session';
  }
  if (config?.role === 'public') return 'public';
  if (config?.role) return 'session';
  if (config?.scope) return 'bearer';
  if (url.startsWith('/admin/')) return 'operator';
  return 'public';
}

/** `/v1/boards/:id` → `/v1/boards/{id}`. */
export const openapiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const zodRouteTransform = createJsonSchemaTransform({});

export const routeTransform: SwaggerTransform = (input) => {
  const result = zodRouteTransform(input) as { schema: Json; url: string };
  const schema = result.schema;
  if (!schema || schema.hide) return result;
  const route = input.route as { method: string | string[]; config?: Json };
  const method = (Array.isArray(route.method) ? route.method[0] : route.method) as string;
  const auth = authOf(schema.security, route.config, input.url);
  const path = openapiPath(input.url);
  const finished: Json = {
    ...schema,
    security: SECURITY[auth],
    operationId:
      (schema.operationId as string | undefined) ??
      OPERATION_IDS[`${method} ${path}`] ??
      fallbackOperationId(method, path),
    [AUTH_KEY]: auth,
  };
  if (auth === 'session' && !SAFE_METHODS.has(method)) {
    const headers = (schema.headers as Json | undefined) ?? { type: 'object', properties: {} };
    finished.headers = {
      ...headers,
      properties: {
        ...(headers.properties as Json),
        'x-csrf-token': {
          type: 'string',
          description: "The session's CSRF token: `data.csrf_token` of POST or GET /api/session",
          examples: ['Hk3pX0c9vQ2mT7yLwR4sNf8aZ1bE6dJu'],
        },
      },
      required: [...((headers.required as string[] | undefined) ?? []), 'x-csrf-token'],
    };
  }
  return { ...result, schema: finished };
};

const HEADERS: Json = {
  'X-RateLimit-Limit': {
    description:
      'Requests allowed in the current window (the tighter of the key budget and the workspace pool)',
    schema: { type: 'integer', examples: [1000] },
  },
  'X-RateLimit-Remaining': {
    description: 'Requests left in the current window',
    schema: { type: 'integer', examples: [998] },
  },
  'X-RateLimit-Reset': {
    description: 'When the current window ends, in unix seconds',
    schema: { type: 'integer', examples: [1773480413] },
  },
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    schema: { type: 'integer', examples: [30] },
  },
  Sunset: {
    description:
      'Sent while the presented secret is in a rotate-later grace period: when it stops working (HTTP date)',
    schema: { type: 'string', examples: ['Sat, 21 Mar 2026 09:26:53 GMT'] },
  },
  'X-Token-Expires-At': {
    description: 'The same moment as Sunset, as an ISO-8601 timestamp',
    schema: { type: 'string', format: 'date-time', examples: ['2026-03-21T09:26:53.589Z'] },
  },
};

const ref = (name: string) => ({ $ref: `#/components/headers/${name}` });
const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': ref('X-RateLimit-Limit'),
  'X-RateLimit-Remaining': ref('X-RateLimit-Remaining'),
  'X-RateLimit-Reset': ref('X-RateLimit-Reset'),
};
const GRACE_HEADERS = { Sunset: ref('Sunset'), 'X-Token-Expires-At': ref('X-Token-Expires-At') };

const ERROR_REF = { $ref: '#/components/schemas/Error' };

const UNAUTHENTICATED: Record<OperationAuth, string> = {
  bearer:
    'No credential, or one that is malformed, unknown, expired, revoked or disabled (ERR_UNAUTHENTICATED, ERR_KEY_EXPIRED, ERR_KEY_REVOKED, ERR_KEY_DISABLED)',
  operator: 'No operator token, or a wrong one (ERR_UNAUTHENTICATED)',
  session: 'Not signed in, or the session ended (ERR_UNAUTHENTICATED)',
  public: 'Wrong credentials (ERR_UNAUTHENTICATED)',
};

const FORBIDDEN: Record<OperationAuth, string> = {
  bearer:
    "The credential lacks the operation's scope, its plan has no API access, or its address is not allowed (ERR_SCOPE_INSUFFICIENT, ERR_PLAN_REQUIRED, ERR_IP_NOT_ALLOWED, ERR_FORBIDDEN)",
  operator: 'The operator token has verify access only (ERR_FORBIDDEN)',
  session:
    'The role is not enough, the x-csrf-token is missing or wrong, or the request came from another site (ERR_FORBIDDEN, ERR_PLAN_LIMIT)',
  public: 'The request came from another site (ERR_FORBIDDEN)',
};

const RATE_LIMITED: Record<OperationAuth, string> = {
  bearer:
    'A budget is spent (ERR_RATE_LIMITED, details.limit "key", "workspace" or "ip"; ERR_CREDITS_EXHAUSTED)',
  operator: 'Too many failed authentications from this address (ERR_RATE_LIMITED, details.limit "ip")',
  session: 'Too many failed sign-ins (ERR_RATE_LIMITED)',
  public: 'Too many failed attempts (ERR_RATE_LIMITED)',
};

function errorDescription(status: string, auth: OperationAuth): string {
  switch (status) {
    case '400':
      return 'Malformed JSON or a bad cursor (ERR_BAD_REQUEST)';
    case '401':
      return UNAUTHENTICATED[auth];
    case '403':
      return FORBIDDEN[auth];
    case '404':
      return "Not found, also for another workspace's object (ERR_NOT_FOUND)";
    case '409':
      return 'Conflicts with the current state (ERR_CONFLICT)';
    case '410':
      return 'Gone (ERR_LINK_EXPIRED)';
    case '413':
      return 'The body is larger than 1 MiB (ERR_PAYLOAD_TOO_LARGE)';
    case '415':
      return 'The body is not application/json (ERR_UNSUPPORTED_MEDIA_TYPE)';
    case '422':
      return 'The request does not validate; details.issues lists each problem (ERR_VALIDATION)';
    case '429':
      return RATE_LIMITED[auth];
    case '500':
      return 'An unexpected error; the body says nothing more (ERR_INTERNAL)';
    case '503':
      return 'The database is unreachable or the server is shutting down; retry after Retry-After (ERR_UNAVAILABLE)';
    default:
      return 'An error (the error envelope)';
  }
}

const SUCCESS: Record<string, string> = {
  '200': 'Success',
  '201': 'Created',
  '202': 'Accepted: queued, sent shortly',
  '204': 'Done, no body',
};

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ERROR_REF } },
});

function finishOperation(operation: Json): void {
  const auth = (operation[AUTH_KEY] as OperationAuth | undefined) ?? 'public';
  delete operation[AUTH_KEY];
  const responses = (operation.responses ?? {}) as Record<string, Json>;
  if (operation.requestBody) {
    responses['413'] ??= errorResponse(errorDescription('413', auth));
    responses['415'] ??= errorResponse(errorDescription('415', auth));
  }
  responses['500'] ??= errorResponse(errorDescription('500', auth));
  responses['503'] ??= errorResponse(errorDescription('503', auth));
  for (const [status, response] of Object.entries(responses)) {
    const success = status.startsWith('2');
    if (!response.description || response.description === 'Default Response')
      response.description = success ? (SUCCESS[status] ?? 'Success') : errorDescription(status, auth);
    const headers: Json = { ...(response.headers as Json | undefined) };
    // Every answer to a request that presented a credential carries its budget; operator tokens are
    // counted only when they fail (and verify answers with the verified key's budget).
    if (
      auth === 'bearer' ||
      (auth === 'operator' && (status === '401' || status === '429')) ||
      (auth === 'operator' && success && operation.operationId === 'verifyKey')
    )
      Object.assign(headers, RATE_LIMIT_HEADERS);
    if (auth === 'bearer' && success) Object.assign(headers, GRACE_HEADERS);
    if (status === '429' || status === '503') headers['Retry-After'] = ref('Retry-After');
    if (Object.keys(headers).length > 0) response.headers = headers;
  }
  operation.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
}

/** Names of the component schemas reachable from the paths (and from each other). */
function referencedSchemas(document: Json): Set<string> {
  const schemas = ((document.components as Json | undefined)?.schemas ?? {}) as Json;
  const used = new Set<string>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
        const name = value.slice('#/components/schemas/'.length);
        if (!used.has(name)) {
          used.add(name);
          visit(schemas[name]);
        }
      } else visit(value);
    }
  };
  visit(document.paths);
  return used;
}

const zodDocumentTransform = createJsonSchemaTransformObject({});

export interface DocumentOptions {
  /** The address clients reach this server at (config.publicUrl), read when the document is built. */
  publicUrl: () => string;
}

export const documentTransform =
  (options: DocumentOptions): SwaggerTransformObject =>
  (input) => {
    const document = zodDocumentTransform(input) as unknown as Json;
    const paths = (document.paths ?? {}) as Record<string, Record<string, Json>>;
    for (const operations of Object.values(paths))
      for (const operation of Object.values(operations)) finishOperation(operation);
    const components = (document.components ?? {}) as Json;
    const schemas = (components.schemas ?? {}) as Json;
    const used = referencedSchemas(document);
    // The type provider writes both an input and an output variant of every registered schema: only
    // those some operation refers to stay (no unused `…Input` twin).
    components.schemas = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
    components.headers = { ...HEADERS, ...(components.headers as Json | undefined) };
    return { ...document, servers: [{ url: options.publicUrl(), description: 'This Keyward' }], components };
  };
