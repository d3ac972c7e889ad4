/**
 * Answers the fuzzer (test/fuzz) found outside the contract, over a real socket: Node's bare 417 for
 * an unknown `Expect`, a percent-encoded key quoted back by the not-found answer, and a 500 for a
 * `..` in a path of the docs' static files.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestDatabase } from '../support/storages.ts';
import { type CreateDatabase, describeDialects } from './harness.ts';

/** Every byte of the text's UTF-8 percent-encoded (`%73%70%6B…`). */
const encodeAll = (text: string) =>
  [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One request written to a socket of its own (`Connection: close`), and the answer read to the end. */
function rawGet(port: number, path: string, headers: string[]): Promise<RawAnswer | undefined> {
  const head = [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...headers, 'Connection: close'];
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return resolve(undefined);
      const [status = '', ...lines] = text.slice(0, end).split('\r\n');
      const fields = lines.map((l) => [
        l.slice(0, l.indexOf(':')).toLowerCase(),
        l.slice(l.indexOf(':') + 1).trim(),
      ]);
      resolve({
        status: Number(status.split(' ')[1]),
        headers: Object.fromEntries(fields),
        body: text.slice(end + 4),
      });
    });
    // Not half-closed: Node drops a streamed answer (a static file) to a client that has ended.
    socket.on('connect', () => socket.write(`${head.join('\r\n')}\r\n\r\n`));
  });
}

describeDialects('answers the fuzzer found', (create: CreateDatabase) => {
  let db: TestDatabase;
  let t: TestApp;
  let port: number;
  let secret: string;

  beforeAll(async () => {
    db = await create();
    t = await startTestApp({ db });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
    secret = (await t.key(await t.workspace(), 'read:write')).secret;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const get = async (path: string, headers: string[] = []) => {
    const answer = await rawGet(port, path, headers);
    if (!answer) throw new Error(`no answer to GET ${path}`);
    return answer;
  };
  const errorOf = (answer: { headers: Record<string, string>; body: string }) => {
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    return (JSON.parse(answer.body) as { error: { code: string; message: string } }).error;
  };

  it('an Expect other than 100-continue is ignored: the request is served, not a bare 417', async () => {
    for (const expectation of ['Expect: x', 'Expect: ', 'Expect: bytes=0-1']) {
      const ok = await get('/v1/ping', [`Authorization: Bearer ${secret}`, expectation]);
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.body)).toMatchObject({ data: { ok: true } });
      const missing = await get('/v1/boards/brd_nothing', [`Authorization: Bearer ${secret}`, expectation]);
      expect({ status: missing.status, code: errorOf(missing).code }).toEqual({
        status: 404,
        code: 'ERR_NOT_FOUND',
      });
    }
  });

  it('the not-found answer quotes no key, however the path encodes it', async () => {
    const cases: [string, number][] = [
      [`/v1/x/${encodeAll(secret)}`, 404],
      [`/api/${encodeAll(`x ${secret}`)}`, 404],
      [`/nothing/${encodeAll(secret)}%C3%A9`, 404],
      [`/nothing/${encodeAll(secret)}%FF`, 400],
    ];
    for (const [path, status] of cases) {
      const answer = await get(path, [`Authorization: Bearer ${secret}`]);
      const error = errorOf(answer);
      expect({ path, status: answer.status }).toEqual({ path, status });
      expect(error.code).toBe(status === 404 ? 'ERR_NOT_FOUND' : 'ERR_BAD_REQUEST');
      for (const text of [error.message, decodeURIComponent(error.message.replace(/%FF/g, ''))])
        expect(text).not.toContain(secret.slice(4, 24));
    }
  });

  it('a `..` segment under /docs/static is 404 ERR_NOT_FOUND, not a 500', async () => {
    for (const path of [
      '/docs/static/..',
      '/docs/static/%2e%2e',
      '/docs/static/../../package.json',
      '/docs/static/x/%2E%2E/%2E%2E/%2E%2E/package.json',
    ]) {
      const answer = await get(path);
      expect({ path, status: answer.status, code: errorOf(answer).code }).toEqual({
        path,
        status: 404,
        code: 'ERR_NOT_FOUND',
      });
    }
    expect((await get('/docs/static/swagger-ui.css')).status).toBe(200);
  });
});
