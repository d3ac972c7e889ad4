/**
 * Load over real keep-alive connections against a `keyward serve` process: each of N workers sends
 * requests back to back through one shared keep-alive Agent and records what became of each one,
 * so a shutdown test can tell answers, refusals and resets apart (and whether the socket was reused).
 */
import http, { type IncomingHttpHeaders } from 'node:http';

export interface Outcome {
  method: string;
  path: string;
  /** performance.now() when the request was handed to the Agent. */
  sentAt: number;
  /** performance.now() when the answer (or the error) arrived. */
  settledAt: number;
  /** Sent on a connection that had already carried an earlier request (req.reusedSocket). */
  reused: boolean;
  status?: number;
  headers?: IncomingHttpHeaders;
  body?: string;
  /** The error's code (ECONNRESET, ECONNREFUSED, …) or message, when no answer came. */
  error?: string;
  message?: string;
}

export interface LoadOptions {
  port: number;
  secret: string;
  connections: number;
  /** Bounds each worker: it stops after this many requests even if the server never goes away. */
  maxRequestsPerWorker: number;
  /** Bounds the whole run (ms): workers stop sending after it. */
  maxMs: number;
  /** Makes board names unique across runs. */
  tag: string;
}

export interface Load {
  outcomes: Outcome[];
  /** Resolves once every worker has had `n` answers (so every connection is open and reused). */
  warmedUp(n: number): Promise<void>;
  /** Resolves when every worker has stopped (refused, bounded, or out of time). */
  done: Promise<void>;
}

/** Per request: an answer that takes longer than this is a hang. */
const REQUEST_TIMEOUT_MS = 5_000;

export function startLoad(options: LoadOptions): Load {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const outcomes: Outcome[] = [];
  const answered = new Array<number>(options.connections).fill(0);
  const waiters: { n: number; resolve: () => void }[] = [];
  const deadline = performance.now() + options.maxMs;

  const notify = () => {
    const least = Math.min(...answered);
    for (const w of waiters.splice(0)) {
      if (least >= w.n) w.resolve();
      else waiters.push(w);
    }
  };

  const worker = async (index: number) => {
    for (let i = 0; i < options.maxRequestsPerWorker && performance.now() < deadline; i++) {
      const outcome =
        i % 2 === 0
          ? await send(agent, options.port, options.secret, 'GET', '/v1/ping')
          : await send(
              agent,
              options.port,
              options.secret,
              'POST',
              '/v1/boards',
              JSON.stringify({ name: `${options.tag} w${index} n${i}` }),
            );
      outcomes.push(outcome);
      if (outcome.status !== undefined) {
        answered[index] = (answered[index] ?? 0) + 1;
        notify();
      }
      // The listener is gone: nothing more to learn from this worker.
      if (outcome.error === 'ECONNREFUSED') break;
    }
  };

  const done = Promise.all(Array.from({ length: options.connections }, (_, i) => worker(i))).then(() => {
    agent.destroy();
    // Nobody waits for a warm-up that can no longer come.
    for (const w of waiters.splice(0)) w.resolve();
  });

  return {
    outcomes,
    warmedUp: (n) =>
      new Promise<void>((resolve) => {
        waiters.push({ n, resolve });
        notify();
      }),
    done,
  };
}

function send(
  agent: http.Agent,
  port: number,
  secret: string,
  method: string,
  path: string,
  body?: string,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const sentAt = performance.now();
    const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${secret}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let settled = false;
    const settle = (o: Omit<Outcome, 'method' | 'path' | 'sentAt' | 'settledAt' | 'reused'>) => {
      if (settled) return;
      settled = true;
      resolve({ method, path, sentAt, settledAt: performance.now(), reused: req.reusedSocket, ...o });
    };
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => settle({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', (err: NodeJS.ErrnoException) =>
        settle({ error: err.code ?? err.message, message: err.message }),
      );
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => {
      settle({ error: 'HANG', message: `no answer within ${REQUEST_TIMEOUT_MS} ms` });
      req.destroy();
    });
    req.on('error', (err: NodeJS.ErrnoException) =>
      settle({ error: err.code ?? err.message, message: err.message }),
    );
    req.end(body);
  });
}
