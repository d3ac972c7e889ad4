/** The soak's HTTP client: one request, timed and recorded in the tally, with a bearer or a session. */
import type { Tally } from './tally.ts';

const TIMEOUT_MS = 15_000;

export type Auth = { bearer: string } | { session: Session } | 'none';

export interface Session {
  cookie: string;
  csrf: string;
}

export interface RequestSpec {
  op: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  auth: Auth;
  body?: unknown;
  /**
   * Statuses the operation allows; anything else (below 500) is counted as unexpected. A function is
   * asked when the answer arrives (a 404 is fine if the post was deleted meanwhile).
   */
  expect: readonly number[] | ((status: number) => boolean);
}

export interface Reply {
  status: number | undefined;
  text: string | undefined;
  /** The parsed JSON body, when there was one. */
  json: unknown;
  headers: Headers | undefined;
}

export class SoakClient {
  constructor(
    readonly baseUrl: string,
    private readonly tally: Tally,
  ) {}

  async send(spec: RequestSpec): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    if (spec.auth !== 'none') {
      if ('bearer' in spec.auth) headers.authorization = `Bearer ${spec.auth.bearer}`;
      else {
        headers.cookie = spec.auth.session.cookie;
        if (spec.method !== 'GET') headers['x-csrf-token'] = spec.auth.session.csrf;
      }
    }
    const started = performance.now();
    let status: number | undefined;
    let detail: string | undefined;
    let text: string | undefined;
    let json: unknown;
    let replyHeaders: Headers | undefined;
    try {
      const res = await fetch(`${this.baseUrl}${spec.path}`, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      text = await res.text();
      status = res.status;
      replyHeaders = res.headers;
      json = parseJson(text);
      if (status >= 500) detail = text.slice(0, 300);
    } catch (err) {
      status = undefined;
      detail = whyNoAnswer(err);
    }
    this.tally.record({
      op: spec.op,
      method: spec.method,
      path: spec.path,
      status,
      detail,
      ms: performance.now() - started,
      unexpected: status !== undefined && !allows(spec.expect, status),
    });
    return { status, text, json, headers: replyHeaders };
  }
}

const allows = (expect: RequestSpec['expect'], status: number) =>
  typeof expect === 'function' ? expect(status) : expect.includes(status);

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `ECONNREFUSED`, `UND_ERR_SOCKET`, `TimeoutError`…: what a report reader can act on. */
function whyNoAnswer(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

/** `data` of a success envelope, or undefined. */
export function dataOf<T>(reply: Reply): T | undefined {
  const json = reply.json as { data?: T } | undefined;
  return json && typeof json === 'object' ? json.data : undefined;
}
