/**
 * The OpenAPI document is complete (DESIGN.md, "Packages", the last bullet): operationIds, security,
 * described responses, response headers, error responses, the CSRF header, PATCH bodies, formats,
 * servers and no unused component schemas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_IDS } from '../../src/contract/operations.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createSqliteDatabase, type TestDatabase } from '../support/storages.ts';
import { documentOf, type Json, type Operation, operationsOf, schemeOf } from './support.ts';

const PUBLIC_URL = 'https://keyward.example.com';
const RATE_LIMIT_HEADERS = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'];
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ERROR_REF = '#/components/schemas/Error';

let db: TestDatabase;
let t: TestApp;
let document: Json;
let operations: Operation[];

beforeAll(async () => {
  db = await createSqliteDatabase();
  t = await startTestApp({ db, config: { publicUrl: PUBLIC_URL } });
  document = await documentOf(t);
  operations = operationsOf(document);
});

afterAll(async () => {
  await t?.close();
  await db?.drop();
});

const name = ({ method, path }: Operation) => `${method} ${path}`;
const errorSchemaOf = (response: Json) => response.content?.['application/json']?.schema?.$ref;

describe('the OpenAPI document', () => {
  it('documents the three APIs', () => {
    expect(operations.length).toBeGreaterThan(60);
    for (const prefix of ['/v1/', '/api/', '/admin/v1/'])
      expect(operations.some((o) => o.path.startsWith(prefix))).toBe(true);
  });

  it('names the server from KEYWARD_PUBLIC_URL', () => {
    expect(document.servers).toEqual([expect.objectContaining({ url: PUBLIC_URL })]);
  });

  it('gives every operation a unique camelCase operationId, the table’s where it has one', () => {
    const ids = operations.map((o) => o.op.operationId as string);
    for (const [i, id] of ids.entries()) expect(id, name(operations[i]!)).toMatch(/^[a-z][A-Za-z0-9]*$/);
    expect(new Set(ids).size).toBe(ids.length);
    for (const o of operations) {
      const listed = OPERATION_IDS[name(o)];
      if (listed) expect(o.op.operationId, name(o)).toBe(listed);
    }
    const byName = Object.fromEntries(operations.map((o) => [name(o), o.op.operationId]));
    expect(byName['POST /api/keys']).toBe('createApiKey');
    expect(byName['GET /v1/boards']).toBe('listBoards');
    expect(byName['POST /admin/v1/workspaces']).toBe('adminCreateWorkspace');
  });

  it('declares security on every operation, by API', () => {
    for (const o of operations) {
      expect(Array.isArray(o.op.security), name(o)).toBe(true);
      const scheme = schemeOf(o.op);
      const n = name(o);
      if (n === 'POST /v1/keys/verify' || o.path.startsWith('/admin/v1/'))
        expect(scheme, n).toBe('operatorToken');
      else if (o.path.startsWith('/v1/')) expect(scheme, n).toBe('bearerAuth');
      else if (['GET /api/setup', 'POST /api/setup', 'POST /api/session'].includes(n))
        expect(scheme, n).toBe('none');
      else if (o.path.startsWith('/api/')) expect(scheme, n).toBe('sessionCookie');
    }
    const schemes = Object.keys(document.components.securitySchemes);
    for (const o of operations) if (schemeOf(o.op) !== 'none') expect(schemes).toContain(schemeOf(o.op));
  });

  it('describes every response (no "Default Response")', () => {
    for (const o of operations)
      for (const [status, response] of Object.entries(o.op.responses as Record<string, Json>)) {
        expect(typeof response.description, `${name(o)} ${status}`).toBe('string');
        expect(response.description, `${name(o)} ${status}`).not.toBe('Default Response');
        expect(response.description.length, `${name(o)} ${status}`).toBeGreaterThan(3);
      }
  });

  it('declares the rate-limit headers on every response of a bearer operation, Retry-After on 429', () => {
    for (const o of operations) {
      const responses = o.op.responses as Record<string, Json>;
      if (schemeOf(o.op) === 'bearerAuth') {
        for (const [status, response] of Object.entries(responses)) {
          for (const header of RATE_LIMIT_HEADERS)
            expect(response.headers?.[header], `${name(o)} ${status} ${header}`).toBeDefined();
          if (status.startsWith('2')) {
            expect(response.headers?.Sunset, `${name(o)} ${status}`).toBeDefined();
            expect(response.headers?.['X-Token-Expires-At'], `${name(o)} ${status}`).toBeDefined();
          }
        }
      }
      if (responses['429']) expect(responses['429'].headers?.['Retry-After'], name(o)).toBeDefined();
    }
    for (const header of [...RATE_LIMIT_HEADERS, 'Retry-After', 'Sunset', 'X-Token-Expires-At'])
      expect(document.components.headers[header]?.schema, header).toBeDefined();
  });

  it('has 500 and 503 everywhere, 413 and 415 where a body is sent, every error with the envelope', () => {
    for (const o of operations) {
      const responses = o.op.responses as Record<string, Json>;
      const wanted = o.op.requestBody ? ['413', '415', '500', '503'] : ['500', '503'];
      for (const status of wanted) expect(responses[status], `${name(o)} ${status}`).toBeDefined();
      for (const [status, response] of Object.entries(responses))
        if (Number(status) >= 400) expect(errorSchemaOf(response), `${name(o)} ${status}`).toBe(ERROR_REF);
    }
  });

  it('asks for x-csrf-token on every state-changing session operation', () => {
    const changing = operations.filter(
      (o) => schemeOf(o.op) === 'sessionCookie' && STATE_CHANGING.has(o.method),
    );
    expect(changing.length).toBeGreaterThan(20);
    for (const o of changing) {
      const csrf = (o.op.parameters as Json[] | undefined)?.find(
        (p) => p.in === 'header' && p.name === 'x-csrf-token',
      );
      expect(csrf?.required, name(o)).toBe(true);
    }
    for (const o of operations.filter(
      (o) => schemeOf(o.op) !== 'sessionCookie' || !STATE_CHANGING.has(o.method),
    ))
      expect(
        (o.op.parameters as Json[] | undefined)?.some((p) => p.name === 'x-csrf-token') ?? false,
        name(o),
      ).toBe(false);
  });

  it('needs at least one field in every PATCH body', () => {
    const patches = operations.filter((o) => o.method === 'PATCH');
    expect(patches.length).toBeGreaterThan(5);
    for (const o of patches) {
      const schema = o.op.requestBody?.content?.['application/json']?.schema;
      expect(schema?.minProperties, name(o)).toBe(1);
    }
  });

  it('writes timestamps as date-time, urls as uri, the verify code as an enum', () => {
    const seen: string[] = [];
    const visit = (node: unknown, where: string): void => {
      if (node === null || typeof node !== 'object') return;
      const n = node as Json;
      if (n.properties && typeof n.properties === 'object')
        for (const [key, prop] of Object.entries(n.properties as Record<string, Json>)) {
          const types = ([] as unknown[]).concat(prop.type ?? prop.anyOf?.map((s: Json) => s.type) ?? []);
          if (/_at$/.test(key) && types.includes('string')) {
            const format = prop.format ?? prop.anyOf?.find((s: Json) => s.type === 'string')?.format;
            if (where.includes('responses') || where.includes('components')) {
              expect(format, `${where}.${key}`).toBe('date-time');
              seen.push(key);
            }
          }
        }
      for (const [key, value] of Object.entries(n)) visit(value, `${where}.${key}`);
    };
    visit(document.paths, 'paths');
    visit(document.components.schemas, 'components');
    expect(seen.length).toBeGreaterThan(20);
    expect(document.components.schemas.WebhookEndpoint.properties.url.format).toBe('uri');
    const verify = document.paths['/v1/keys/verify'].post.responses['200'].content['application/json'].schema;
    expect(verify.properties.data.properties.code.enum).toEqual(
      expect.arrayContaining(['VALID', 'ERR_KEY_REVOKED']),
    );
  });

  it('gives real examples, not generated placeholders', () => {
    const board = document.components.schemas.Board.properties;
    expect(board.slug.examples).toEqual(['feature-requests']);
    expect(board.created_at.examples?.[0]).toMatch(/^\d{4}-\d\d-\d\dT/);
    const create = document.paths['/v1/boards'].post.requestBody.content['application/json'].schema;
    expect(create.properties.name.examples).toEqual(['Feature requests']);
  });

  it('keeps only component schemas something refers to (no unused *Input twin)', () => {
    const text = JSON.stringify({
      paths: document.paths,
      components: { ...document.components, schemas: {} },
    });
    const schemas = document.components.schemas as Record<string, Json>;
    const referenced = (id: string) =>
      text.includes(`"#/components/schemas/${id}"`) ||
      Object.entries(schemas).some(
        ([other, s]) => other !== id && JSON.stringify(s).includes(`"#/components/schemas/${id}"`),
      );
    for (const id of Object.keys(schemas)) expect(referenced(id), id).toBe(true);
    expect(Object.keys(schemas).filter((id) => id.endsWith('Input'))).toEqual([]);
  });
});
