/**
 * The fuzzer's view of the OpenAPI document: every operation with its path parameters, query
 * parameters, body schema (references resolved) and the kind of credential it takes; plus the
 * routes the document hides (health, metrics, docs, the dashboard) and paths no route has.
 */

/** The subset of JSON Schema the generators understand (what zod emits for our contract). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
  pattern?: string;
  $ref?: string;
}

/** Which credential an operation takes: an API key or token, an operator token, a session, none. */
export type Security = 'bearer' | 'operator' | 'session' | 'none';

export interface Operation {
  /** `GET /v1/boards/{id}`: the name used in reports and the histogram. */
  name: string;
  method: string;
  /** The path template, `{id}` for parameters. */
  path: string;
  pathParams: string[];
  query: { name: string; schema: JsonSchema }[];
  body: JsonSchema | undefined;
  security: Security;
  /** False for the routes the document hides and for paths that no route has. */
  documented: boolean;
  /** Segments that name something real for a hidden route's parameter (a static file, a page). */
  examples?: Record<string, string[]>;
  /** Headers its real clients send (a browser's Accept for the dashboard's pages). */
  headers?: Record<string, string>;
}

interface RawOperation {
  security?: Record<string, unknown>[];
  parameters?: { in: string; name: string; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

function securityOf(op: RawOperation, path: string): Security {
  const names = (op.security ?? []).flatMap((s) => Object.keys(s));
  if (names.some((n) => /operator|service|admin/i.test(n))) return 'operator';
  if (names.includes('bearerAuth')) return 'bearer';
  if (names.includes('sessionCookie')) return 'session';
  // Setup and sign-in declare no security; the other /api routes without it still read the cookie.
  return path.startsWith('/api/') ? 'session' : 'none';
}

/** The schema with every `$ref` replaced by what it names (the document's schemas are not recursive). */
export function resolveRefs(schema: JsonSchema, doc: OpenApiDocument, depth = 0): JsonSchema {
  if (depth > 20) return {};
  if (schema.$ref) {
    const target = doc.components?.schemas?.[schema.$ref.replace('#/components/schemas/', '')];
    if (!target) throw new Error(`unresolved ${schema.$ref}`);
    return resolveRefs(target, doc, depth + 1);
  }
  const out: JsonSchema = { ...schema };
  if (schema.properties)
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([k, v]) => [k, resolveRefs(v, doc, depth + 1)]),
    );
  if (schema.items) out.items = resolveRefs(schema.items, doc, depth + 1);
  if (schema.anyOf) out.anyOf = schema.anyOf.map((s) => resolveRefs(s, doc, depth + 1));
  if (schema.oneOf) out.oneOf = schema.oneOf.map((s) => resolveRefs(s, doc, depth + 1));
  return out;
}

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const parameters = op.parameters ?? [];
      const body = op.requestBody?.content?.['application/json']?.schema;
      operations.push({
        name: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
        query: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, schema: resolveRefs(p.schema ?? {}, doc) })),
        body: body ? resolveRefs(body, doc) : undefined,
        security: securityOf(op, path),
        documented: true,
      });
    }
  }
  return operations;
}

const hidden = (
  method: string,
  path: string,
  security: Security = 'none',
  more: Pick<Operation, 'examples' | 'headers'> = {},
): Operation => ({
  name: `${method} ${path}`,
  method,
  path,
  pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
  query: [],
  body: undefined,
  security,
  documented: false,
  ...more,
});

const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

/**
 * Routes the document does not list (hidden from it on purpose), and paths with no route at all, so
 * that the not-found handler and the dashboard's catch-all are fuzzed too.
 */
export const UNDOCUMENTED: readonly Operation[] = [
  hidden('GET', '/healthz'),
  hidden('GET', '/readyz'),
  hidden('GET', '/metrics'),
  hidden('GET', '/openapi.json'),
  hidden('GET', '/openapi.yaml'),
  hidden('GET', '/docs'),
  hidden('GET', '/docs/json'),
  hidden('GET', '/docs/static/{file}', 'none', {
    examples: {
      file: ['swagger-ui.css', 'index.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'logo.svg'],
    },
  }),
  hidden('GET', '/', 'none', { headers: BROWSER }),
  hidden('GET', '/settings/{page}', 'session', {
    examples: { page: ['api-keys', 'integrations', 'usage', 'audit-log', 'team', 'webhooks'] },
    headers: BROWSER,
  }),
  // The dashboard's built files are hashed: run.ts adds their names when it finds them.
  hidden('GET', '/assets/{file}', 'none', { examples: { file: ['index.js', 'missing.css'] } }),
  hidden('GET', '/{file}', 'none', { examples: { file: ['favicon.svg', 'index.html', 'robots.txt'] } }),
  hidden('GET', '/portal/{token}'),
  hidden('GET', '/v1/{unknown}', 'bearer'),
  hidden('POST', '/v1/boards/{id}/{unknown}', 'bearer'),
  hidden('PUT', '/v1/boards/{id}', 'bearer'),
  hidden('GET', '/api/{unknown}', 'session'),
  hidden('DELETE', '/api/workspace', 'session'),
  hidden('GET', '/{unknown}'),
];

/** The kind of object a path parameter names, from the collection segment before it. */
export type IdType =
  | 'board'
  | 'post'
  | 'vote'
  | 'key'
  | 'integration'
  | 'credential'
  | 'user'
  | 'webhook'
  | 'delivery'
  | 'workspace';

const COLLECTIONS: Record<string, IdType> = {
  boards: 'board',
  posts: 'post',
  votes: 'vote',
  keys: 'key',
  integrations: 'integration',
  credentials: 'credential',
  users: 'user',
  webhooks: 'webhook',
  deliveries: 'delivery',
  workspaces: 'workspace',
};

export function idTypeOf(path: string, param: string): IdType | undefined {
  const segments = path.split('/');
  const at = segments.indexOf(`{${param}}`);
  return at > 0 ? COLLECTIONS[segments[at - 1]!] : undefined;
}
