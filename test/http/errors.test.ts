/**
 * Errors are one envelope `{error: {code, message[, details]}}` whatever failed: routing, parsing,
 * validation, the database. Also the system routes: health, readiness, the OpenAPI document, the docs.
 */

import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildApp } from '../../src/http/app.ts';
import { describeDialects, expectData, expectError, send, unreachableStorage, useApp } from './harness.ts';

/** Anything that would tell an attacker how the server is built. */
const INTERNALS =
  /select|insert|from "|no such table|relation|sqlite|postgres|kysely|stack|\.ts\b|\bat \w|node_modules/i;

const V1_OPERATIONS = [
  'get /v1/ping',
  'get /v1/boards',
  'post /v1/boards',
  'get /v1/boards/{id}',
  'patch /v1/boards/{id}',
  'delete /v1/boards/{id}',
  'get /v1/boards/{id}/posts',
  'post /v1/boards/{id}/posts',
  'get /v1/posts/{id}',
  'patch /v1/posts/{id}',
  'delete /v1/posts/{id}',
  'get /v1/posts/{id}/votes',
  'post /v1/posts/{id}/votes',
  'delete /v1/votes/{id}',
];

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown; responses?: Record<string, unknown> }>>;
  components: { securitySchemes: Record<string, unknown> };
}

describeDialects('errors and system routes', (create) => {
  describe('the envelope', () => {
    const t = useApp(create);
    let key = '';
    let board = '';
    beforeAll(async () => {
      key = (await t().key(await t().workspace(), 'read:write')).secret;
      board = expectData<{ id: string }>(
        await t().call(key, 'POST', '/v1/boards', { name: 'Ideas' }),
        201,
      ).id;
    });

    it('an unknown route is 404 ERR_NOT_FOUND, with or without a credential', async () => {
      expectError(await send(t(), { method: 'GET', url: '/nope' }), 404, 'ERR_NOT_FOUND');
      expectError(await send(t(), { method: 'GET', url: '/v1/nope', secret: key }), 404, 'ERR_NOT_FOUND');
      expectError(
        await send(t(), { method: 'PUT', url: '/v1/boards', secret: key, body: {} }),
        404,
        'ERR_NOT_FOUND',
      );
    });

    it('malformed JSON is 400 ERR_BAD_REQUEST and the body is not echoed', async () => {
      const res = await send(t(), {
        method: 'POST',
        url: '/v1/boards',
        secret: key,
        body: '{"name": "Ideas", oops',
      });
      const error = expectError(res, 400, 'ERR_BAD_REQUEST');
      expect(error.message).not.toContain('oops');
    });

    it('an empty body declared as JSON is no body: 422 where a body is required', async () => {
      const res = await send(t(), {
        method: 'POST',
        url: '/v1/boards',
        secret: key,
        headers: { 'content-type': 'application/json' },
      });
      expectError(res, 422, 'ERR_VALIDATION');
    });

    it('a body over 1 MiB is 413 ERR_PAYLOAD_TOO_LARGE', async () => {
      const body = JSON.stringify({ name: 'Big', description: 'x'.repeat(1024 * 1024) });
      expectError(
        await send(t(), { method: 'POST', url: '/v1/boards', secret: key, body }),
        413,
        'ERR_PAYLOAD_TOO_LARGE',
      );
    });

    it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])(
      'a POST body sent as %s is 415 ERR_UNSUPPORTED_MEDIA_TYPE',
      async (type) => {
        const res = await send(t(), {
          method: 'POST',
          url: '/v1/boards',
          secret: key,
          body: 'name=Ideas',
          headers: { 'content-type': type },
        });
        expectError(res, 415, 'ERR_UNSUPPORTED_MEDIA_TYPE');
      },
    );

    it('invalid input is 422 ERR_VALIDATION with details.issues naming each path', async () => {
      const res = await send(t(), {
        method: 'POST',
        url: '/v1/boards',
        secret: key,
        body: { name: '', slug: 'Not A Slug' },
      });
      const error = expectError(res, 422, 'ERR_VALIDATION');
      const issues = (error.details as { issues: { path: unknown[]; message: string }[] }).issues;
      expect(Array.isArray(issues)).toBe(true);
      for (const issue of issues) {
        expect(Array.isArray(issue.path)).toBe(true);
        expect(typeof issue.message).toBe('string');
      }
      const paths = issues.map((i) => i.path.join('.'));
      // Zod's own paths, relative to the body; `location` says which part of the request.
      expect(paths).toContain('name');
      expect(paths).toContain('slug');
      expect(issues.every((i) => (i as { location?: string }).location === 'body')).toBe(true);
    });

    it('a missing required field is 422 naming the field', async () => {
      const res = await send(t(), {
        method: 'POST',
        url: `/v1/boards/${board}/posts`,
        secret: key,
        body: {},
      });
      const error = expectError(res, 422, 'ERR_VALIDATION');
      expect(JSON.stringify(error.details)).toContain('title');
    });

    it('an invalid query parameter is 422 naming it', async () => {
      const error = expectError(
        await send(t(), { method: 'GET', url: '/v1/boards?limit=0', secret: key }),
        422,
        'ERR_VALIDATION',
      );
      const issues = (error.details as { issues: { path: unknown[] }[] }).issues;
      expect(issues.map((i) => i.path.join('.')).some((p) => p.endsWith('limit'))).toBe(true);
    });

    it('a bad cursor is 400 ERR_BAD_REQUEST', async () => {
      expectError(
        await send(t(), { method: 'GET', url: '/v1/boards?cursor=nope', secret: key }),
        400,
        'ERR_BAD_REQUEST',
      );
    });

    it('a conflict is 409 ERR_CONFLICT', async () => {
      const res = await send(t(), {
        method: 'POST',
        url: '/v1/boards',
        secret: key,
        body: { name: 'Ideas' },
      });
      expectError(res, 409, 'ERR_CONFLICT');
    });
  });

  describe('when the database fails', () => {
    const t = useApp(create);

    it('an unexpected database error is 500 ERR_INTERNAL with no stack, SQL or secret in the body', async () => {
      const { secret } = await t().key(await t().workspace(), 'read:write');
      const board = expectData<{ id: string }>(
        await t().call(secret, 'POST', '/v1/boards', { name: 'Ideas' }),
        201,
      ).id;
      const post = expectData<{ id: string }>(
        await t().call(secret, 'POST', `/v1/boards/${board}/posts`, { title: 'Dark mode' }),
        201,
      ).id;
      // A table the routes query disappears from under the app: the driver's error names it and its SQL.
      await sql`drop table votes`.execute(t().deps.storage.db);
      const res = await t().call(secret, 'GET', `/v1/posts/${post}/votes`);
      const error = expectError(res, 500, 'ERR_INTERNAL');
      expect(error.details).toBeUndefined();
      expect(res.body).not.toMatch(INTERNALS);
      expect(res.body).not.toContain(secret);
      expect(res.body).not.toContain('votes');
    });

    describe('and is unreachable', () => {
      const live = useApp(create);
      const dead = unreachableStorage();
      let broken: FastifyInstance | undefined;
      let secret = '';

      beforeAll(async () => {
        secret = (await live().key(await live().workspace(), 'read:write')).secret;
        // Credentials still verify against the live database; the product's storage refuses connections.
        broken = await buildApp({ ...live().deps, storage: dead });
      });
      afterAll(async () => {
        await broken?.close();
        await dead.close();
      });

      it('a request that needs it is 503 ERR_UNAVAILABLE with Retry-After', async () => {
        const res = await broken!.inject({
          method: 'GET',
          url: '/v1/boards',
          headers: { authorization: `Bearer ${secret}` },
        });
        expectError(res, 503, 'ERR_UNAVAILABLE');
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        expect(res.body).not.toMatch(INTERNALS);
      });

      it('/readyz says so with 503 while /healthz stays 200', async () => {
        const ready = await broken!.inject({ method: 'GET', url: '/readyz' });
        const error = expectError(ready, 503, 'ERR_UNAVAILABLE');
        expect(error.details).toEqual({ status: 'unavailable', checks: { database: 'unreachable' } });
        expect(Number(ready.headers['retry-after'])).toBeGreaterThan(0);
        expect(expectData(await broken!.inject({ method: 'GET', url: '/healthz' }))).toEqual({ ok: true });
      });
    });
  });

  describe('system routes', () => {
    const t = useApp(create);

    it('/healthz and /readyz answer 200 when the database is up', async () => {
      expect(expectData(await send(t(), { method: 'GET', url: '/healthz' }))).toEqual({ ok: true });
      expect(expectData(await send(t(), { method: 'GET', url: '/readyz' }))).toEqual({
        ok: true,
        status: 'ok',
        checks: { database: 'ok' },
      });
    });

    it('/openapi.json documents every /v1 operation behind the bearerAuth scheme', async () => {
      const res = await send(t(), { method: 'GET', url: '/openapi.json' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const doc = res.json() as OpenApiDoc;
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
      const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m} ${path}`),
      );
      for (const op of V1_OPERATIONS) expect(documented).toContain(op);
      for (const op of V1_OPERATIONS) {
        const [method, path] = op.split(' ') as [string, string];
        const operation = doc.paths[path]![method]!;
        expect({ op, security: operation.security }).toEqual({ op, security: [{ bearerAuth: [] }] });
        expect(Object.keys(operation.responses ?? {})).toEqual(expect.arrayContaining(['401', '429']));
      }
      // Every documented /v1 path is a real route.
      for (const entry of documented.filter((e) => e.includes(' /v1/'))) {
        const [method, path] = entry.split(' ') as [string, string];
        const url = path.replace(/\{(\w+)\}/g, ':$1');
        expect({ entry, routed: t().app.hasRoute({ method: method.toUpperCase() as 'GET', url }) }).toEqual({
          entry,
          routed: true,
        });
      }
    });

    it('/openapi.yaml is the same document in YAML', async () => {
      const json = (await send(t(), { method: 'GET', url: '/openapi.json' })).json();
      const res = await send(t(), { method: 'GET', url: '/openapi.yaml' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/yaml/);
      expect(parse(res.body)).toEqual(json);
    });

    it('/docs answers 200 with an HTML page', async () => {
      const res = await send(t(), { method: 'GET', url: '/docs' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toMatch(/<html/i);
    });
  });
});
