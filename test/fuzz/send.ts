/**
 * Sends a request over a real socket with node:http (keep-alive, as clients do): unlike inject(),
 * this goes through Node's parser and Fastify's own answers, and allows bodies on any method.
 */
import http from 'node:http';
import type { Wire } from './requests.ts';

export interface Answer {
  status: number;
  /** Lower-cased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: string;
  /** A transport error (a reset, a refused header value), when there was no answer. */
  error?: string;
}

export function createAgent(sockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: sockets });
}

// Longer than the server's own deadline (15 s), which would answer 503 first.
export function send(port: number, agent: http.Agent, wire: Wire, limitMs = 20_000): Promise<Answer> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (answer: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    };
    let request: http.ClientRequest;
    try {
      request = http.request({
        host: '127.0.0.1',
        port,
        agent,
        method: wire.method,
        path: wire.path,
        headers:
          wire.body === undefined
            ? wire.headers
            : { ...wire.headers, 'content-length': Buffer.byteLength(wire.body) },
      });
    } catch (err) {
      // Node refuses some values client-side (a path with a space, a header with a control character).
      resolve({ status: 0, headers: {}, body: '', error: `client refused: ${(err as Error).message}` });
      return;
    }
    const timer = setTimeout(() => {
      request.destroy(new Error(`no answer within ${limitMs} ms`));
    }, limitMs);
    request.on('error', (err) => done({ status: 0, headers: {}, body: '', error: err.message }));
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (err) => done({ status: 0, headers: {}, body: '', error: err.message }));
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        done({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    request.end(wire.body);
  });
}
