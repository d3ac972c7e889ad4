/**
 * The load generator, always its own process (never the server's): runs autocannon against one URL
 * (closed loop: every connection sends again as soon as it is answered), or, when the spec has a
 * `rate`, the paced open-loop generator of bench/lib/paced.ts; first a warm-up whose numbers are
 * dropped, then the measured run, and prints one JSON line.
 *
 *   node --import tsx bench/load.ts '<LoadSpec JSON>'
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { LatencyHistogram, type LatencySummary } from './lib/latency.ts';
import { runPaced } from './lib/paced.ts';

export interface LoadSpec {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  durationSec: number;
  warmupSec: number;
  /** A JSON file of secrets: each request sends the next one as its bearer token (round robin). */
  rotateSecretsFile?: string;
  /**
   * Requests per second offered, open loop (bench/lib/paced.ts): sent on schedule whether or not
   * earlier ones were answered, latency counted from when each was due. Unset: autocannon, closed loop.
   */
  rate?: number;
}

export interface LoadResult {
  seconds: number;
  responses: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  latency: ReturnType<LatencyHistogram['toJSON']>;
  /** CPU time (user + system) of this generator process during the measured run, ms. */
  cpuMs?: number;
  // The paced path only (bench/lib/paced.ts):
  /** Requests per second offered. */
  offered?: number;
  /** Most requests due and not yet answered at once (in flight plus waiting for a connection). */
  maxInFlight?: number;
  /** Requests due in the measured window that were never sent: the server fell too far behind. */
  unsent?: number;
  /** The generator's own lag, send time − scheduled time (included in `latency`), ms. */
  sendLag?: LatencySummary;
}

// autocannon ships no types; this is the part of its API used here.
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}
interface AutocannonOptions {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  connections: number;
  duration: number;
  requests?: { setupRequest: (req: AutocannonRequest) => AutocannonRequest }[];
}
interface AutocannonInstance {
  on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  on(event: 'done', fn: (result: { errors: number; timeouts: number }) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
}
type Autocannon = (options: AutocannonOptions) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function optionsOf(spec: LoadSpec, seconds: number): AutocannonOptions {
  const options: AutocannonOptions = {
    url: spec.url,
    method: spec.method,
    headers: spec.headers,
    connections: spec.connections,
    duration: seconds,
  };
  if (spec.body !== undefined) options.body = spec.body;
  if (spec.rotateSecretsFile) {
    const secrets = JSON.parse(readFileSync(spec.rotateSecretsFile, 'utf8')) as string[];
    const headers = secrets.map((s) => ({ ...spec.headers, authorization: `Bearer ${s}` }));
    let next = 0;
    // One counter for every connection: each request presents the next key, so all of them rotate.
    options.requests = [
      {
        setupRequest: (req) => {
          req.headers = headers[next]!;
          next = next + 1 === headers.length ? 0 : next + 1;
          return req;
        },
      },
    ];
  }
  return options;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const cpu = process.cpuUsage(start);
  return (cpu.user + cpu.system) / 1000;
}

function runOnce(spec: LoadSpec, seconds: number, histogram?: LatencyHistogram): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const statusCodes: Record<string, number> = {};
    let responses = 0;
    const started = performance.now();
    const cpu = process.cpuUsage();
    const instance = autocannon(optionsOf(spec, seconds));
    instance.on('response', (_client, status, _bytes, ms) => {
      responses++;
      statusCodes[status] = (statusCodes[status] ?? 0) + 1;
      histogram?.record(ms);
    });
    instance.on('error', reject);
    instance.on('done', (result) => {
      resolve({
        seconds: (performance.now() - started) / 1000,
        responses,
        statusCodes,
        errors: result.errors,
        timeouts: result.timeouts,
        latency: (histogram ?? new LatencyHistogram()).toJSON(),
        cpuMs: cpuMsSince(cpu),
      });
    });
  });
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
  let result: LoadResult;
  if (spec.rate !== undefined) {
    result = await runPaced({ ...spec, rate: spec.rate });
  } else {
    if (spec.warmupSec > 0) await runOnce(spec, spec.warmupSec);
    result = await runOnce(spec, spec.durationSec, new LatencyHistogram());
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
