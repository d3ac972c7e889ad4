/**
 * Real answers conform to the document: for a sample of requests (ping, create and list keys, a 404,
 * a 429) the body validates against the response schema the document gives for that operation and
 * status, and the headers it declares for a bearer operation are sent. Ajv (JSON Schema 2020-12, the
 * dialect of OpenAPI 3.1) and ajv-formats come with Fastify and fast-json-stringify.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperatorToken } from '../../src/operators/tokens.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { type Session, setupOwner } from '../support/session.ts';
import { createSqliteDatabase, type TestDatabase } from '../support/storages.ts';
import { documentOf, type Json } from './support.ts';

let db: TestDatabase;
let t: TestApp;
let document: Json;
let owner: Session;
let ajv: Ajv2020;

// A CommonJS module: its default export is the plugin itself or sits on `.default`, by loader.
type FormatsPlugin = (ajv: Ajv2020) => unknown;
const addFormats = ((ajvFormats as unknown as { default?: FormatsPlugin }).default ??
  ajvFormats) as unknown as FormatsPlugin;

beforeAll(async () => {
  db = await createSqliteDatabase();
  t = await startTestApp({ db });
  document = await documentOf(t);
  owner = await setupOwner(t);
  // The document is one schema resource: `#/components/schemas/…` resolves inside it.
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...document, $id: 'keyward-openapi' });
});

afterAll(async () => {
  await t?.close();
  await db?.drop();
});

const pointer = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1');

/** Checks a response against the document's entry for the operation and status; returns that entry. */
function conforms(method: string, path: string, response: LightMyRequestResponse): Json {
  const entry = document.paths[path]?.[method.toLowerCase()]?.responses?.[String(response.statusCode)];
  expect(entry, `${method} ${path} ${response.statusCode} is documented`).toBeDefined();
  const ref = `keyward-openapi#/paths/${pointer(path)}/${method.toLowerCase()}/responses/${response.statusCode}/content/application~1json/schema`;
  const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  const valid = validate(response.json());
  expect(validate.errors ?? [], `${method} ${path} ${response.statusCode}: ${response.body}`).toEqual([]);
  expect(valid).toBe(true);
  return entry as Json;
}

function sendsDeclaredHeaders(entry: Json, response: LightMyRequestResponse, names: string[]): void {
  for (const name of names) {
    expect(entry.headers?.[name], `${name} declared`).toBeDefined();
    expect(response.headers[name.toLowerCase()], `${name} sent`).toBeDefined();
  }
}

const RATE_LIMIT = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'];

describe('answers conform to the OpenAPI document', () => {
  it('(the check is live: a body that breaks the schema fails it)', () => {
    const ref = 'keyward-openapi#/components/schemas/Board';
    const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
    expect(
      validate({
        id: 'brd_1',
        name: 'x',
        slug: 'x',
        description: '',
        post_count: 0,
        created_at: 'yesterday',
      }),
    ).toBe(false);
    expect(
      validate({
        id: 'brd_1',
        name: 'x',
        slug: 'x',
        description: '',
        post_count: 0,
        created_at: '2026-03-14T09:26:53.589Z',
      }),
    ).toBe(true);
  });

  it('GET /v1/ping', async () => {
    const key = await t.key(owner.workspaceId, 'read');
    const r = await t.call(key.secret, 'GET', '/v1/ping');
    expect(r.statusCode).toBe(200);
    sendsDeclaredHeaders(conforms('GET', '/v1/ping', r), r, RATE_LIMIT);
  });

  it('POST /api/keys and GET /api/keys', async () => {
    const created = await owner.call('POST', '/api/keys', { name: 'ci', scope: 'read:write' });
    expect(created.statusCode).toBe(201);
    conforms('POST', '/api/keys', created);
    const listed = await owner.call('GET', '/api/keys');
    expect(listed.statusCode).toBe(200);
    conforms('GET', '/api/keys', listed);
    expect((listed.json() as { data: unknown[] }).data.length).toBeGreaterThan(0);
  });

  it('a board created, then listed', async () => {
    const key = await t.key(owner.workspaceId, 'read:write');
    const created = await t.call(key.secret, 'POST', '/v1/boards', { name: 'Feature requests' });
    expect(created.statusCode).toBe(201);
    sendsDeclaredHeaders(conforms('POST', '/v1/boards', created), created, RATE_LIMIT);
    const listed = await t.call(key.secret, 'GET', '/v1/boards');
    conforms('GET', '/v1/boards', listed);
  });

  it('a 404 for an unknown board', async () => {
    const key = await t.key(owner.workspaceId, 'read');
    const r = await t.call(key.secret, 'GET', '/v1/boards/brd_unknown');
    expect(r.statusCode).toBe(404);
    sendsDeclaredHeaders(conforms('GET', '/v1/boards/{id}', r), r, RATE_LIMIT);
  });

  it('a 429 once the key budget is spent, with Retry-After', async () => {
    const key = await t.key(owner.workspaceId, 'read', { rateLimit: '1/h' });
    expect((await t.call(key.secret, 'GET', '/v1/boards')).statusCode).toBe(200);
    const r = await t.call(key.secret, 'GET', '/v1/boards');
    expect(r.statusCode).toBe(429);
    sendsDeclaredHeaders(conforms('GET', '/v1/boards', r), r, [...RATE_LIMIT, 'Retry-After']);
  });

  it('POST /v1/keys/verify with an operator token', async () => {
    const key = await t.key(owner.workspaceId, 'read');
    const { secret } = await createOperatorToken(
      t.deps.storage,
      { name: 'backend', access: 'verify' },
      t.clock.now(),
    );
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/keys/verify',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ key: key.secret, scope: 'boards:read' }),
    });
    expect(r.statusCode).toBe(200);
    sendsDeclaredHeaders(conforms('POST', '/v1/keys/verify', r), r, RATE_LIMIT);
  });
});
