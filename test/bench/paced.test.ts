/**
 * The paced load generator of the bench (bench/lib/paced.ts over bench/lib/raw-connection.ts):
 * its bare-socket HTTP must send what the spec says and frame every answer, or a latency row would
 * count the wrong thing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runPaced } from '../../bench/lib/paced.ts';
import { requestBytes } from '../../bench/lib/raw-connection.ts';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

const servers: Server[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise((r) => s.close(r));
    }),
  );
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function serve(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString(), res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/keys/verify?x=1`;
}

const spec = (url: string, extra: object = {}) => ({
  url,
  method: 'POST' as const,
  headers: { 'content-type': 'application/json' },
  body: '{"key":"spk_x"}',
  connections: 4,
  durationSec: 1,
  warmupSec: 0,
  rate: 400,
  ...extra,
});

describe('paced generator', () => {
  it('builds a request with its host, headers and body length', () => {
    const bytes = requestBytes(new URL('http://127.0.0.1:9/a?b=1'), 'POST', { 'x-k': 'v' }, '{"é":1}');
    expect(bytes.toString()).toBe(
      'POST /a?b=1 HTTP/1.1\r\nhost: 127.0.0.1:9\r\nx-k: v\r\ncontent-length: 8\r\n\r\n{"é":1}',
    );
  });

  it('sends every request of the schedule, rotating the secrets, and reads every answer', async () => {
    const seen = new Map<string, number>();
    const bodies = new Set<string>();
    const url = await serve((req, body, res) => {
      const auth = req.headers.authorization ?? '';
      seen.set(auth, (seen.get(auth) ?? 0) + 1);
      bodies.add(`${req.method} ${req.url} ${body}`);
      res.statusCode = auth.endsWith('b') ? 429 : 200;
      res.setHeader('content-type', 'application/json');
      res.end('{"data":{"ok":true}}'); // headers not written yet: Node sends a Content-Length
    });
    const dir = mkdtempSync(join(tmpdir(), 'keyward-paced-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify(['spk_a', 'spk_b']));
    const result = await runPaced(spec(url, { rotateSecretsFile: join(dir, 'secrets.json') }));

    expect(result.responses).toBe(400); // rate × seconds, after the warm-up
    expect(result.errors + result.timeouts + (result.unsent ?? 0)).toBe(0);
    expect(result.statusCodes).toEqual({ 200: 200, 429: 200 });
    expect([...bodies]).toEqual(['POST /v1/keys/verify?x=1 {"key":"spk_x"}']);
    expect(seen.get('Bearer spk_a')).toBe(seen.get('Bearer spk_b'));
    const recorded = result.latency.buckets.reduce((sum, [, n]) => sum + n, 0);
    expect(recorded).toBe(400);
  });

  it('frames answers that arrive in pieces and follows connections the server closes', async () => {
    let n = 0;
    const url = await serve((_req, _body, res) => {
      const close = ++n % 5 === 0;
      const body = `{"data":{"ok":true,"pad":"${'x'.repeat(n % 3 === 0 ? 70_000 : 10)}"}}`;
      const head = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
      res.writeHead(200, close ? { ...head, connection: 'close' } : head);
      res.write(body.slice(0, 7)); // the head and the start of the body first, the rest later
      setTimeout(() => res.end(body.slice(7)), 2);
    });
    const result = await runPaced(spec(url));
    expect(result.responses).toBe(400);
    expect(result.errors).toBe(0);
    expect(result.statusCodes).toEqual({ 200: 400 });
  });

  it('counts an answer it cannot frame as an error instead of waiting for it', async () => {
    const url = await serve((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // headers written with no length: chunked
      res.end('{"data":{"ok":true}}');
    });
    const result = await runPaced(spec(url, { rate: 100 }));
    expect(result.responses).toBe(0);
    expect(result.errors).toBe(100);
  });
});
