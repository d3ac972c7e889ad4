/**
 * What the isolation matrix is generated from: every operation of the OpenAPI document that names an
 * object by id, who may call it (decided from the credential and the route alone), and a valid body.
 */
import { MANAGEMENT_ENDPOINTS, type Target } from '../support/management.ts';
import { PASSWORD } from '../support/session.ts';

export interface JsonSchema {
  $ref?: string;
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
}

interface Operation {
  tags?: string[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, unknown>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** The kinds of object a path parameter names. */
export type ObjectType =
  | 'board'
  | 'post'
  | 'vote'
  | 'webhook'
  | 'key'
  | 'integration'
  | 'user'
  | 'credential'
  | 'delivery';

/** The path segment before a parameter says what the parameter names. */
const SEGMENT_TYPES: Record<string, ObjectType> = {
  boards: 'board',
  posts: 'post',
  votes: 'vote',
  webhooks: 'webhook',
  keys: 'key',
  integrations: 'integration',
  users: 'user',
  credentials: 'credential',
  deliveries: 'delivery',
};

export const ID_PREFIX: Record<ObjectType, string> = {
  board: 'brd',
  post: 'pst',
  vote: 'vot',
  webhook: 'whk',
  key: 'key',
  integration: 'int',
  user: 'usr',
  credential: 'key',
  delivery: 'dlv',
};

/** Object types whose ids a parameter of this type accepts (a credential is a key or an integration). */
export const ACCEPTS: Record<ObjectType, readonly ObjectType[]> = {
  board: ['board'],
  post: ['post'],
  vote: ['vote'],
  webhook: ['webhook'],
  key: ['key'],
  integration: ['integration'],
  user: ['user'],
  credential: ['credential', 'key', 'integration'],
  delivery: ['delivery'],
};

type Role = 'owner' | 'admin' | 'member';
type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface IdOperation {
  method: Method;
  /** As in the document, `{id}` style. */
  path: string;
  params: { name: string; type: ObjectType }[];
  /** The documented success status. */
  success: number;
  body: JsonSchema | undefined;
  /** /v1: the scope the route needs; webhooks routes take integration tokens only. */
  scope?: string;
  integrationOnly?: boolean;
  /** /api: the least role, and the state the object must be in for a valid call (management.ts). */
  role?: Role;
  target?: Target;
}

const METHODS: readonly Method[] = ['GET', 'POST', 'PATCH', 'DELETE'];

/**
 * The id operations under /v1 and /api, and what the matrix cannot place (an unknown segment, tag or
 * management route): those are problems a test reports, so a new route is never skipped silently.
 */
export function idOperations(doc: OpenApiDocument): { operations: IdOperation[]; problems: string[] } {
  const operations: IdOperation[] = [];
  const problems: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!/^\/(v1|api)\//.test(path) || !path.includes('{')) continue;
    const segments = path.split('/');
    const params = segments.flatMap((segment, i) => {
      const name = /^\{(\w+)\}$/.exec(segment)?.[1];
      if (!name) return [];
      const type = SEGMENT_TYPES[segments[i - 1] ?? ''];
      if (!type) problems.push(`${path}: no object type for the segment before {${name}}`);
      return type ? [{ name, type }] : [];
    });
    for (const method of METHODS) {
      const op = item[method.toLowerCase()];
      if (!op) continue;
      const success = Number(Object.keys(op.responses ?? {}).find((s) => /^2\d\d$/.test(s)));
      if (!success) problems.push(`${method} ${path}: no documented 2xx response`);
      const base = {
        method,
        path,
        params,
        success,
        body: op.requestBody?.content?.['application/json']?.schema,
      };
      if (path.startsWith('/v1/')) {
        const tag = op.tags?.[0] ?? '';
        if (!['boards', 'posts', 'votes', 'webhooks'].includes(tag)) {
          problems.push(`${method} ${path}: tag "${tag}" names no scope resource`);
          continue;
        }
        const scope = `${tag}:${method === 'GET' ? 'read' : 'write'}`;
        operations.push({ ...base, scope, integrationOnly: tag === 'webhooks' });
      } else {
        const known = MANAGEMENT_ENDPOINTS.find(
          (e) => e.method === method && e.path === path.replace(/\{(\w+)\}/g, ':$1'),
        );
        if (!known?.target) {
          problems.push(`${method} ${path}: not in test/support/management.ts (role and target unknown)`);
          continue;
        }
        operations.push({ ...base, role: known.role, target: known.target });
      }
    }
  }
  return { operations, problems };
}

export type Caller =
  | { label: string; kind: 'api_key'; scope: 'read:write' | 'read' }
  | { label: string; kind: 'integration_token' }
  | { label: string; kind: 'session'; role: Role };

export const BEARER_CALLERS: readonly Caller[] = [
  { label: 'API key read:write', kind: 'api_key', scope: 'read:write' },
  { label: 'API key read', kind: 'api_key', scope: 'read' },
  { label: 'integration token (every scope)', kind: 'integration_token' },
];

export const SESSION_CALLERS: readonly Caller[] = [
  { label: 'owner session', kind: 'session', role: 'owner' },
  { label: 'admin session', kind: 'session', role: 'admin' },
  { label: 'member session', kind: 'session', role: 'member' },
];

export const callersOf = (op: IdOperation): readonly Caller[] =>
  op.path.startsWith('/v1/') ? BEARER_CALLERS : SESSION_CALLERS;

const RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };

/**
 * The refusal a caller gets on a route whatever the id (the contract: API keys cannot manage webhooks,
 * a read key cannot write, a role below the route's is forbidden), or undefined when it may call it.
 */
export function refusalOf(caller: Caller, op: IdOperation): { status: 403; code: string } | undefined {
  if (caller.kind === 'session') {
    return RANK[caller.role] >= RANK[op.role ?? 'owner'] ? undefined : { status: 403, code: 'ERR_FORBIDDEN' };
  }
  if (caller.kind === 'integration_token') return undefined;
  if (op.integrationOnly) return { status: 403, code: 'ERR_FORBIDDEN' };
  if (caller.scope === 'read' && !op.scope?.endsWith(':read')) {
    return { status: 403, code: 'ERR_SCOPE_INSUFFICIENT' };
  }
  return undefined;
}

/** A public address that needs no DNS (TEST-NET-3); test apps send no webhooks. */
export const WEBHOOK_URL = 'https://203.0.113.7/keyward';

let counter = 0;

/**
 * A minimal valid value for a JSON schema: required properties (or, where none is required, the first
 * one, so a PATCH changes something), enums' first member, plausible strings by property name, unique
 * per call so creating twice does not conflict.
 */
export function exampleOf(schema: JsonSchema, doc: OpenApiDocument, name = ''): unknown {
  if (schema.$ref) {
    const ref = doc.components?.schemas?.[schema.$ref.replace('#/components/schemas/', '')];
    if (!ref) throw new Error(`unresolved ${schema.$ref}`);
    return exampleOf(ref, doc, name);
  }
  if ('const' in schema) return schema.const;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum) return schema.enum[0];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const first = alternatives.find((a) => a.type !== 'null') ?? alternatives[0];
    if (!first) throw new Error(`empty anyOf at ${name}`);
    return exampleOf(first, doc, name);
  }
  switch (schema.type) {
    case 'object': {
      const properties = schema.properties ?? {};
      const wanted = schema.required?.length ? schema.required : Object.keys(properties).slice(0, 1);
      return Object.fromEntries(wanted.map((key) => [key, exampleOf(properties[key] ?? {}, doc, key)]));
    }
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () =>
        exampleOf(schema.items ?? {}, doc, name),
      );
    case 'integer':
    case 'number':
      return Math.min(schema.minimum ?? 1, schema.maximum ?? Number.MAX_SAFE_INTEGER);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return stringFor(schema, name);
  }
}

function stringFor(schema: JsonSchema, name: string): string {
  const n = ++counter;
  const candidates =
    schema.format === 'date-time'
      ? [new Date(Date.now() + 86_400_000).toISOString()]
      : schema.format === 'email' || name.includes('email')
        ? [`matrix-${n}@acme.test`]
        : schema.format === 'uri' || name.includes('url')
          ? [WEBHOOK_URL]
          : name === 'password'
            ? [PASSWORD]
            : [`matrix-${n}`, `matrix${n}`, 'm'.repeat(Math.max(1, schema.minLength ?? 1))];
  const fits = (s: string) =>
    s.length >= (schema.minLength ?? 0) &&
    s.length <= (schema.maxLength ?? Number.POSITIVE_INFINITY) &&
    (!schema.pattern || new RegExp(schema.pattern).test(s));
  const value = candidates.find(fits);
  if (value === undefined) throw new Error(`no plausible value for the string "${name}"`);
  return value;
}

/** A valid body for the operation, or undefined when it takes none. */
export function bodyFor(op: IdOperation, doc: OpenApiDocument): unknown {
  return op.body ? exampleOf(op.body, doc) : undefined;
}
