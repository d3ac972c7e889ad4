/**
 * Answers the framework or Node's parser would otherwise make with their own bodies: bad URL
 * encoding, over-long ids, header limits, malformed requests, slow clients. Each is the envelope
 * with a catalogue code, over a real socket (inject() never meets Node's parser).
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../../src/core/secrets.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestDatabase } from '../support/storages.ts';
import { type CreateDatabase, describeDialects, expectError, send } from './harness.ts';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds from the first byte sent to the connection's end. */
  elapsedMs: number;
}

/** Writes `chunks` (a string each, `pauseMs` apart) and reads until the server closes or `limitMs`. */
function raw(port: number, chunks: string[], pauseMs = 0, limitMs = 8_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${limitMs} ms; got: ${JSON.stringify(text.slice(0, 200))}`));
    }, limitMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body, elapsedMs: Date.now() - started });
    });
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk, 'latin1');
        if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
      }
    });
  });
}

function expectEnvelope(answer: RawAnswer, status: number, code: string): void {
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status });
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  const parsed = JSON.parse(answer.body) as { error: { code: string; message: string } };
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(parsed.error.code).toBe(code);
  expect(parsed.error.message.length).toBeGreaterThan(0);
}

const get = (path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Connection: close\r\n\r\n`;

describeDialects('framework and parser answers', (create: CreateDatabase) => {
  let db: TestDatabase;
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    db = await create();
    t = await startTestApp({ db, config: { headersTimeout: 1_000, requestTimeout: 1_500 } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  describe('URLs and ids', () => {
    it('bad percent-encoding is 400 ERR_BAD_REQUEST, and the URL (with a key in it) is not quoted', async () => {
      const secret = generateSecret('spk_');
      const answer = await raw(port, [get(`/v1/boards/${secret}%zz?key=${secret}`)]);
      expectEnvelope(answer, 400, 'ERR_BAD_REQUEST');
      expect(answer.body).not.toContain(secret.slice(4, 24));
    });

    it('an id of 200 characters is looked up (404); one of 201 is 414 ERR_URI_TOO_LONG, for every method', async () => {
      const ws = await t.workspace();
      const { secret } = await t.key(ws, 'read:write');
      expectError(
        await send(t, { method: 'GET', url: `/v1/boards/brd_${'a'.repeat(196)}`, secret }),
        404,
        'ERR_NOT_FOUND',
      );
      for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
        const res = await send(t, {
          method,
          url: `/v1/boards/brd_${'a'.repeat(197)}`,
          secret,
          body: method === 'PATCH' ? { name: 'x' } : undefined,
        });
        expectError(res, 414, 'ERR_URI_TOO_LONG');
      }
      expectError(
        await send(t, { method: 'GET', url: `/api/keys/${'k'.repeat(300)}` }),
        414,
        'ERR_URI_TOO_LONG',
      );
    });

    it('a NUL in an id is 404 like any unknown id; a NUL in a body field is 422 naming the field', async () => {
      const ws = await t.workspace();
      const { secret } = await t.key(ws, 'read:write');
      expectError(await send(t, { method: 'GET', url: '/v1/boards/brd_x%00', secret }), 404, 'ERR_NOT_FOUND');
      const res = await send(t, { method: 'POST', url: '/v1/boards', secret, body: '{"name":"a\\u0000b"}' });
      const error = expectError(res, 422, 'ERR_VALIDATION');
      expect(error.message).toMatch(/^body\.name: /);
    });

    it('an unknown route under /v1 with a credential is 404 and carries the rate-limit headers', async () => {
      const ws = await t.workspace();
      const { secret } = await t.key(ws, 'read');
      const res = await send(t, { method: 'GET', url: '/v1/nothing-here', secret });
      expectError(res, 404, 'ERR_NOT_FOUND');
      expect(Number(res.headers['x-ratelimit-limit'])).toBeGreaterThan(0);
      expect(res.headers['x-ratelimit-remaining']).toBeDefined();
      expect(res.headers['x-ratelimit-reset']).toBeDefined();
    });
  });

  describe("what Node's parser refuses", () => {
    it('headers over 16 KiB are 431 ERR_HEADERS_TOO_LARGE', async () => {
      const answer = await raw(port, [get('/healthz', `X-Big: ${'a'.repeat(20_000)}\r\n`)]);
      expectEnvelope(answer, 431, 'ERR_HEADERS_TOO_LARGE');
    });

    it('a NUL in a header, Content-Length with Transfer-Encoding, and garbage are 400 ERR_BAD_REQUEST', async () => {
      expectEnvelope(await raw(port, [get('/healthz', 'X-Bad: a\0b\r\n')]), 400, 'ERR_BAD_REQUEST');
      const smuggled =
        'POST /v1/boards HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n';
      expectEnvelope(await raw(port, [smuggled]), 400, 'ERR_BAD_REQUEST');
      expectEnvelope(await raw(port, ['HELLO THERE\r\n\r\n']), 400, 'ERR_BAD_REQUEST');
    });

    it('headers that trickle in past the headers timeout are 408 ERR_REQUEST_TIMEOUT', async () => {
      const answer = await raw(
        port,
        ['GET /healthz HTTP/1.1\r\n', 'Host: x\r\n', 'X-A: 1\r\n', 'X-B: 2\r\n'],
        700,
      );
      expectEnvelope(answer, 408, 'ERR_REQUEST_TIMEOUT');
      // The timeout (1 s here) is checked every second; generous for a busy machine.
      expect(answer.elapsedMs).toBeLessThan(6_000);
    });

    it('a body sent a byte at a time past the request timeout is 408, and the connection closed', async () => {
      const head =
        'POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n';
      const answer = await raw(port, [head, ...'{"email":"a@b.c","pass'.split('')], 300);
      expectEnvelope(answer, 408, 'ERR_REQUEST_TIMEOUT');
      expect(answer.headers.connection).toBe('close');
      expect(answer.elapsedMs).toBeLessThan(6_000);
    });
  });
});
