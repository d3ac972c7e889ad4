/**
 * Requests no HTTP client library would send, written to a socket of their own: what Node's parser
 * refuses before Fastify sees anything (its answers must be the envelope too), and the odd-but-legal
 * forms (absolute URLs, pipelining, HTTP/1.0, chunked bodies) that take other paths through it.
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import { secretArb } from './values.ts';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;
const get = (target: string, extra: string[] = []) =>
  head([`GET ${target} HTTP/1.1`, 'Host: 127.0.0.1', ...extra, 'Connection: close']);
const post = (target: string, extra: string[], body: string) =>
  head([`POST ${target} HTTP/1.1`, 'Host: 127.0.0.1', ...extra, 'Connection: close']) + body;

/** A raw request; `\uE000…` placeholders become secrets when sent. */
export const rawRequestArb: fc.Arbitrary<string> = fc.oneof(
  secretArb().map((s) => get('/v1/ping', [`X-Big: ${'a'.repeat(17_000)}`, `Authorization: Bearer ${s}`])),
  secretArb().map((s) => get(`/v1/boards/${s}%zz?key=${s}`)),
  secretArb(['raw', 'all']).map((s) => get(`/v1/boards/${s} x`)),
  secretArb().map((s) => get(`/v1/ping`, [`Authorization: Bearer ${s}\u0000`])),
  secretArb().map((s) => get(`http://evil.example/v1/boards?key=${s}`, [`Authorization: Bearer ${s}`])),
  secretArb().map((s) => `GET /v1/ping?k=${s} HTTP/1.0\r\n\r\n`),
  secretArb().map((s) => `GET /v1/ping HTTP/1.1\nHost: x\nAuthorization: Bearer ${s}\n\n`),
  secretArb().map((s) => `${s} /v1/ping HTTP/1.1\r\nHost: x\r\n\r\n`),
  secretArb().map((s) => post('/v1/boards', ['Content-Length: abc', `Authorization: Bearer ${s}`], '{}')),
  secretArb().map((s) =>
    post('/v1/boards', ['Transfer-Encoding: chunked', `Authorization: Bearer ${s}`], 'zz\r\n{}\r\n0\r\n\r\n'),
  ),
  secretArb().map((s) =>
    post('/v1/boards', ['Content-Length: 2', 'Content-Length: 3', `Authorization: Bearer ${s}`], '{}'),
  ),
  secretArb().map((s) =>
    post(
      '/v1/boards',
      ['Transfer-Encoding: chunked', 'Content-Type: application/json', `Authorization: Bearer ${s}`],
      `d\r\n{"name":"chk"}\r\n0\r\n\r\n`,
    ),
  ),
  secretArb().map(
    (s) =>
      `GET /v1/ping HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s}\r\n\r\n` +
      `GET /v1/boards/${s} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  ),
  fc.constantFrom(
    'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
    'GET\r\n\r\n',
    '\r\n\r\n',
    'GET /v1/ping HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n',
    'GET /v1/ping HTTP/1.1\r\nHost: x\r\n Folded: y\r\n\r\n',
    'GET /v1/ping HTTP/1.1\r\n: empty\r\n\r\n',
    `GET /${'a'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    'GET /%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'GET /api/keys/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'GET /v1/ping HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
  ),
);

/** The answers in what a connection received, in order (a pipelined request has two). */
export function parseAnswers(received: Buffer): RawAnswer[] {
  return readAnswers(received.toString('latin1')).answers;
}

/** The answers so far, and whether the last one is complete (its whole body is there). */
function readAnswers(received: string): { answers: RawAnswer[]; complete: boolean } {
  const answers: RawAnswer[] = [];
  let text = received;
  let complete = true;
  while (text.startsWith('HTTP/')) {
    const end = text.indexOf('\r\n\r\n');
    if (end < 0) return { answers, complete: false };
    const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(
      lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
    );
    const rest = text.slice(end + 4);
    const length = Number(headers['content-length']);
    const chunked = /chunked/i.test(headers['transfer-encoding'] ?? '');
    const bodyEnd = Number.isFinite(length)
      ? length
      : chunked
        ? rest.indexOf('\r\n0\r\n\r\n') + 7
        : rest.length;
    complete = Number.isFinite(length) ? rest.length >= length : !chunked || bodyEnd >= 7;
    const body = rest.slice(0, Math.max(0, bodyEnd));
    answers.push({
      status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0),
      headers,
      body: Buffer.from(body, 'latin1').toString('utf8'),
    });
    text = rest.slice(body.length);
  }
  return { answers, complete };
}

/**
 * Sends the bytes on a connection of its own and reads what comes back: until the server closes the
 * connection, or has sent one complete answer per request line, or nothing more for a moment. The
 * connection is not half-closed: Node drops a streamed answer (a static file) to a client that did.
 */
export function sendRaw(port: number, text: string, limitMs = 6_000): Promise<Buffer> {
  const expected = Math.max(1, text.match(/(?:^|\n)[A-Z]+ \S+ HTTP\/1\.[01]\r?\n/g)?.length ?? 0);
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let idle: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => socket.destroy(), limitMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const { answers, complete } = readAnswers(Buffer.concat(chunks).toString('latin1'));
      clearTimeout(idle);
      if (answers.length >= expected && complete) socket.destroy();
      else idle = setTimeout(() => socket.destroy(), 500);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      clearTimeout(idle);
      resolve(Buffer.concat(chunks));
    });
    socket.on('connect', () => socket.write(Buffer.from(text, 'utf8')));
  });
}
