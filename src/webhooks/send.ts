/**
 * One HTTP attempt: POST the signed body, connect only to an address the destination policy
 * allows, give up after the timeout, never follow a redirect, read at most a little of the answer.
 * Never throws: every outcome is a value for the delivery log.
 */
import http from 'node:http';
import https from 'node:https';
import {
  type DestinationPolicy,
  ForbiddenDestinationError,
  guardedLookup,
  type ResolveAll,
  urlProblem,
} from './destination.ts';

export const USER_AGENT = 'Keyward-Webhooks/1.0';
/** Bytes of a response read before the rest is dropped, and kept in the log. */
export const MAX_RESPONSE_READ = 64 * 1024;
export const MAX_RESPONSE_LOGGED = 2 * 1024;

export interface AttemptRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface AttemptResult {
  /** The HTTP status, or null when no response arrived. */
  status: number | null;
  /** Why the attempt failed (network error, timeout, refused destination, redirect), else null. */
  error: string | null;
  durationMs: number;
  /** The start of the response body, truncated; null when there was none. */
  responseBody: string | null;
}

export const isSuccess = (r: AttemptResult) => r.status !== null && r.status >= 200 && r.status < 300;

function describe(err: Error & { code?: string }): string {
  if (err instanceof ForbiddenDestinationError) return `destination refused: ${err.message}`;
  if (err.code === 'ECONNREFUSED') return 'connection refused';
  if (err.code === 'ENOTFOUND') return 'host not found';
  if (err.code === 'ECONNRESET') return 'connection reset';
  return err.message || String(err.code ?? 'request failed');
}

function truncate(chunks: Buffer[]): string | null {
  const all = Buffer.concat(chunks);
  if (all.length === 0) return null;
  const text = all.subarray(0, MAX_RESPONSE_LOGGED).toString('utf8');
  return all.length > MAX_RESPONSE_LOGGED ? `${text}… [truncated]` : text;
}

export class WebhookSender {
  // Without keep-alive: every attempt resolves and checks its destination afresh.
  private readonly agents = {
    http: new http.Agent({ keepAlive: false }),
    https: new https.Agent({ keepAlive: false }),
  };
  private readonly inFlight = new Set<http.ClientRequest>();

  constructor(
    private readonly policy: DestinationPolicy,
    private readonly resolve?: ResolveAll,
  ) {}

  send(request: AttemptRequest): Promise<AttemptResult> {
    const started = performance.now();
    const result = (
      status: number | null,
      error: string | null,
      responseBody: string | null,
    ): AttemptResult => ({
      status,
      error,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      responseBody,
    });
    const problem = urlProblem(request.url, this.policy);
    if (problem) return Promise.resolve(result(null, `destination refused: ${problem}`, null));
    const url = new URL(request.url);
    const secure = url.protocol === 'https:';

    return new Promise((resolve) => {
      let settled = false;
      let status: number | null = null;
      let location: string | undefined;
      const chunks: Buffer[] = [];
      const finish = (error: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inFlight.delete(req);
        const redirect =
          status !== null && status >= 300 && status < 400
            ? `redirect to ${location ?? '(no location)'} not followed`
            : null;
        resolve(result(status, status === null ? error : redirect, truncate(chunks)));
      };
      const req = (secure ? https : http).request(
        url,
        {
          method: 'POST',
          agent: secure ? this.agents.https : this.agents.http,
          headers: {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(request.body)),
            'user-agent': USER_AGENT,
            ...request.headers,
          },
          lookup: guardedLookup(this.policy, this.resolve) as unknown as http.RequestOptions['lookup'],
        },
        (res) => {
          status = res.statusCode ?? null;
          location = res.headers.location;
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            if (read < MAX_RESPONSE_READ) chunks.push(chunk);
            read += chunk.length;
            if (read >= MAX_RESPONSE_READ) {
              res.destroy();
              finish(null);
            }
          });
          res.on('end', () => finish(null));
          res.on('close', () => finish(null));
          res.on('error', () => finish(null));
        },
      );
      this.inFlight.add(req);
      req.on('error', (err) => finish(describe(err)));
      const timer = setTimeout(() => {
        if (status === null) finish(`timed out after ${request.timeoutMs} ms`);
        else finish(null);
        req.destroy();
      }, request.timeoutMs);
      req.end(request.body);
    });
  }

  /** Ends every request still in flight (their deliveries stay leased and are retried later). */
  abortAll(): void {
    for (const req of this.inFlight) req.destroy(new Error('worker stopped'));
  }

  close(): void {
    this.abortAll();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
