/**
 * What the client suites share: a real Keyward app listening on 127.0.0.1 (SQLite, the in-process
 * limiter, the suites' admin token, a manual clock), and a plain node:http server that answers each
 * attempt as a test scripts it (transport faults: resets, 5xx, non-JSON bodies).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { ADMIN_TOKEN } from '../admin/support.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createSqliteDatabase, type TestDatabase } from '../support/storages.ts';

export { ADMIN_TOKEN };

export interface ListeningApp {
  t: TestApp;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
}

/** A Keyward app listening on a free port of 127.0.0.1 for the enclosing describe. */
export function useListeningApp(): () => ListeningApp {
  let db: TestDatabase | undefined;
  let running: ListeningApp | undefined;
  beforeAll(async () => {
    db = await createSqliteDatabase();
    const t = await startTestApp({ db, config: { adminToken: ADMIN_TOKEN } });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = t.app.server.address() as AddressInfo;
    running = { t, baseUrl: `http://127.0.0.1:${port}` };
  });
  afterAll(async () => {
    await running?.t.close();
    await db?.drop();
  });
  return () => {
    if (!running) throw new Error('the app is not started (beforeAll failed?)');
    return running;
  };
}

export interface Attempt {
  method: string;
  url: string;
  body: string;
}

export type Answer = (req: IncomingMessage, res: ServerResponse) => void;

export interface ScriptedServer {
  baseUrl: string;
  /** Every request received, in order. */
  attempts: Attempt[];
  /** Answers the next requests in order; the last one answers every request after them. */
  script(...answers: Answer[]): void;
  close(): Promise<void>;
}

/** A node:http server on 127.0.0.1 answering as scripted. */
export async function scriptedServer(): Promise<ScriptedServer> {
  let answers: Answer[] = [];
  const attempts: Attempt[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      attempts.push({ method: req.method ?? '', url: req.url ?? '', body });
      const answer = answers.length > 1 ? answers.shift() : answers[0];
      if (!answer) throw new Error('no answer scripted');
      answer(req, res);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    attempts,
    script(...next) {
      answers = next;
      attempts.length = 0;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A JSON answer. */
export const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Answer =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };

/** A plain-text (non-JSON) answer, as a proxy in front of Keyward might give. */
export const text =
  (status: number, body: string, headers: Record<string, string> = {}): Answer =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/html', ...headers });
    res.end(body);
  };

/** The connection is cut before any answer: fetch fails with a network error. */
export const reset: Answer = (req) => {
  req.socket.destroy();
};

/** Keyward's error envelope. */
export const envelope = (code: string, message: string, details?: Record<string, unknown>) => ({
  error: details ? { code, message, details } : { code, message },
});

/** A sleep that only records what it was asked: retries happen at once. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms) => {
      waits.push(ms);
    },
  };
}
