/**
 * Load on the instances while a dependency fails, and the contract every answer must keep: a
 * bounded number of requests in flight (ping, list and create boards, spread over the instances),
 * each answer kept with its status, envelope, Retry-After and latency.
 */
import { randomBytes } from 'node:crypto';
import type { Instance } from './harness.ts';
import { sleep } from './harness.ts';

export type Route = 'ping' | 'list' | 'create';
export const ROUTES: readonly Route[] = ['ping', 'list', 'create'];

export interface Sample {
  instance: string;
  route: Route;
  /** Date.now() when the request was sent. */
  at: number;
  ms: number;
  /** 0 when no answer came (`failure` says why). */
  status: number;
  failure?: string;
  body: unknown;
  retryAfter: string | null;
  rateLimited: boolean;
}

/** No request may take longer than this to answer at all (a hang is recorded as a failure). */
const GIVE_UP_MS = 10_000;
const tag = randomBytes(3).toString('hex');
let boards = 0;

const describeRoute = (route: Route) =>
  route === 'ping' ? 'GET /v1/ping' : route === 'list' ? 'GET /v1/boards' : 'POST /v1/boards';

export async function send(instance: Instance, secret: string, route: Route): Promise<Sample> {
  const at = Date.now();
  const headers: Record<string, string> = { authorization: `Bearer ${secret}` };
  let body: string | undefined;
  if (route === 'create') {
    headers['content-type'] = 'application/json';
    body = JSON.stringify({ name: `load ${tag} ${++boards}` });
  }
  const path = route === 'ping' ? '/v1/ping' : route === 'list' ? '/v1/boards?limit=5' : '/v1/boards';
  const sample: Sample = {
    instance: instance.name,
    route,
    at,
    ms: 0,
    status: 0,
    body: undefined,
    retryAfter: null,
    rateLimited: false,
  };
  try {
    const res = await fetch(`${instance.url}${path}`, {
      method: route === 'create' ? 'POST' : 'GET',
      headers,
      body,
      signal: AbortSignal.timeout(GIVE_UP_MS),
    });
    const text = await res.text();
    sample.status = res.status;
    sample.retryAfter = res.headers.get('retry-after');
    sample.rateLimited = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'].every((h) =>
      /^\d+$/.test(res.headers.get(h) ?? ''),
    );
    try {
      sample.body = JSON.parse(text);
    } catch {
      sample.body = text.slice(0, 200);
    }
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    sample.failure =
      e.name === 'TimeoutError' ? `no answer in ${GIVE_UP_MS} ms` : (e.cause?.code ?? e.message);
  }
  sample.ms = Date.now() - at;
  return sample;
}

/** `concurrency` loops, each sending one request at a time, rotating routes and instances. */
export class Load {
  readonly samples: Sample[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(instances: readonly Instance[], secret: string, concurrency = 20, pauseMs = 25) {
    this.loops = Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = worker; this.running; i++) {
        const instance = instances[i % instances.length]!;
        const route = ROUTES[Math.floor(i / instances.length) % ROUTES.length]!;
        this.samples.push(await send(instance, secret, route));
        await sleep(pauseMs);
      }
    });
  }

  async stop(): Promise<Sample[]> {
    this.running = false;
    await Promise.all(this.loops);
    return this.samples;
  }
}

const isOk = (s: Sample) => s.status >= 200 && s.status < 300;

interface ErrorBody {
  error?: { code?: unknown; message?: unknown };
}
const codeOf = (s: Sample) => (s.body as ErrorBody | undefined)?.error?.code;

/**
 * What breaks the contract in these answers, grouped (count and first example): no answer, any 5xx
 * but 503, an error that is not the envelope, a 503 that is not ERR_UNAVAILABLE with Retry-After,
 * or an answer slower than `maxMs`.
 */
export function violations(samples: readonly Sample[], maxMs: number, since: number): string[] {
  const found = new Map<string, { count: number; first: Sample }>();
  const note = (kind: string, s: Sample) => {
    const seen = found.get(kind);
    if (seen) seen.count++;
    else found.set(kind, { count: 1, first: s });
  };
  for (const s of samples) {
    if (s.status === 0) note(`no answer (${s.failure})`, s);
    else if (!isOk(s)) {
      const error = (s.body as ErrorBody | undefined)?.error;
      if (typeof error?.code !== 'string' || typeof error.message !== 'string') {
        note(`${s.status} without the error envelope: ${JSON.stringify(s.body).slice(0, 120)}`, s);
      } else if (s.status >= 500 && s.status !== 503) note(`${s.status} ${error.code}`, s);
      else if (s.status === 503 && (error.code !== 'ERR_UNAVAILABLE' || !/^\d+$/.test(s.retryAfter ?? ''))) {
        note(`503 ${error.code} with Retry-After ${JSON.stringify(s.retryAfter)}`, s);
      }
    }
    if (s.status !== 0 && s.ms > maxMs) note(`slower than ${maxMs} ms`, s);
  }
  return [...found].map(
    ([kind, { count, first }]) =>
      `${kind} ×${count} (first: ${first.instance} ${describeRoute(first.route)} sent at ` +
      `+${((first.at - since) / 1000).toFixed(2)} s, answered ${first.status || '-'} in ${first.ms} ms)`,
  );
}

/** The answers as `instance route → status code ×count` lines. */
export function tally(samples: readonly Sample[]): string[] {
  const counts = new Map<string, number>();
  for (const s of samples) {
    const key =
      `${s.instance} ${describeRoute(s.route)} → ${s.status || s.failure} ${codeOf(s) ?? ''}`.trim();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} ×${n}`);
}

/** Answers other than 2xx, tallied. */
export const notOk = (samples: readonly Sample[]): string[] => tally(samples.filter((s) => !isOk(s)));

/** Answers sent in [from, to). */
export const between = (samples: readonly Sample[], from: number, to = Number.POSITIVE_INFINITY) =>
  samples.filter((s) => s.at >= from && s.at < to);

/** Answers sent at or after `from` and received before `to`: the whole exchange inside the window. */
export const answeredWithin = (samples: readonly Sample[], from: number, to: number) =>
  samples.filter((s) => s.at >= from && s.at + s.ms < to);

export const ok = (samples: readonly Sample[]) => samples.filter(isOk);
export const unavailable = (samples: readonly Sample[]) =>
  samples.filter((s) => s.status === 503 && codeOf(s) === 'ERR_UNAVAILABLE');

/** One line per instance and route: statuses, and the slowest answer. */
export function summary(samples: readonly Sample[]): string {
  const rows = new Map<string, { statuses: Map<string, number>; max: number }>();
  for (const s of samples) {
    const key = `${s.instance} ${s.route}`;
    const row = rows.get(key) ?? { statuses: new Map(), max: 0 };
    const status = String(s.status || s.failure);
    row.statuses.set(status, (row.statuses.get(status) ?? 0) + 1);
    row.max = Math.max(row.max, s.ms);
    rows.set(key, row);
  }
  return [...rows]
    .sort()
    .map(([k, r]) => `${k}: ${[...r.statuses].map(([st, n]) => `${st}×${n}`).join(' ')} max ${r.max} ms`)
    .join('; ');
}
