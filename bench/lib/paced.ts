/**
 * An open-loop load generator: requests leave at a fixed offered rate whatever the server does, and
 * each one's latency is counted from the moment it was due, not from when it got a connection.
 *
 * autocannon is closed-loop: every connection sends its next request when the last one is answered,
 * so at 50 connections the server is saturated and latency is queueing (mean = 50 / throughput). Its
 * `connectionRate` / `overallRate` options do not pace either: they reset a per-second counter, so
 * each connection fires its quota back to back at the start of every second. Here a timer every
 * ~1 ms sends the requests that have fallen due (floor(rate × elapsed) − issued), each stamped with
 * its scheduled time start + i / rate, over an undici `Pool` of `spec.connections` keep-alive
 * connections, one request at a time each. A request due while all connections are busy waits
 * (here, in a counter: the backlog is the next indices of the schedule, sent as connections free
 * up, oldest first), and its wait counts in its latency: coordinated omission corrected. A request's
 * latency ends when its body has been read to the end.
 *
 * No busy loop: between the timer's ticks the process sleeps in the event loop (2 cores are shared
 * with the server). The tick is also the pacing's resolution: a request due just after a tick waits
 * for the next one (or for an answer that frees a connection, which also sends what is due), so
 * this generator's own lag, 0.5 ms on average at most, is part of every latency it reports. It is
 * reported apart (`sendLag` in the result) so it can be told from the server's share.
 */
import { readFileSync } from 'node:fs';
import { type Dispatcher, Pool } from 'undici';
import type { LoadResult, LoadSpec } from '../load.ts';
import { LatencyHistogram } from './latency.ts';

const TICK_MS = 1;
/** autocannon's default: a request with no answer after 10 s is counted as a timeout. */
const TIMEOUT_MS = 10_000;
/**
 * After the measured seconds, requests of the window that were still waiting for a connection are
 * sent for at most this long; the rest are reported as `unsent`. A server that keeps up has none.
 */
const DRAIN_MS = 1_000;
/**
 * Paced load before the measured seconds even when the spec asks for no warm-up (the interleaved
 * slices after the first): this process's own warm-up, its connections opened and its code
 * compiled. Without it a fresh generator falls a few hundred ms behind its schedule at the start.
 */
const SETTLE_SEC = 0.5;

export interface PacedSpec extends LoadSpec {
  rate: number;
}

const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);
const isTimeout = (err: Error) => TIMEOUTS.has((err as { code?: string }).code ?? '');

/** Every request's headers: the spec's, or the next rotating secret's (round robin). */
function headerSource(spec: LoadSpec): () => Record<string, string> {
  if (!spec.rotateSecretsFile) return () => spec.headers;
  const secrets = JSON.parse(readFileSync(spec.rotateSecretsFile, 'utf8')) as string[];
  const all = secrets.map((s) => ({ ...spec.headers, authorization: `Bearer ${s}` }));
  let next = 0;
  return () => {
    const h = all[next]!;
    next = next + 1 === all.length ? 0 : next + 1;
    return h;
  };
}

/** One stretch of paced load: `seconds` of schedule, then the drain. */
class Phase {
  readonly statusCodes: Record<string, number> = {};
  responses = 0;
  errors = 0;
  timeouts = 0;
  maxInFlight = 0;
  private issued = 0;
  private inFlight = 0;
  private readonly total: number;
  private readonly start = performance.now();
  private readonly cpuAtStart = process.cpuUsage();
  private cpuMs = 0;
  private lastAnswer = this.start;
  private readonly timer: NodeJS.Timeout;
  private draining = false;
  /** The drain is over: nothing more is sent. */
  private stopped = false;
  private drainTimer: NodeJS.Timeout | undefined;
  unsent = 0;
  private done: (() => void) | undefined;
  private readonly sendLag = new LatencyHistogram();

  constructor(
    private readonly pool: Pool,
    private readonly spec: PacedSpec,
    private readonly options: Omit<Dispatcher.DispatchOptions, 'headers'>,
    private readonly headers: () => Record<string, string>,
    seconds: number,
    private readonly drainMs: number,
    private readonly histogram: LatencyHistogram | undefined,
  ) {
    this.total = Math.round(spec.rate * seconds);
    this.timer = setInterval(() => this.pump(), TICK_MS);
    setTimeout(() => this.drain(), seconds * 1000 + 1);
  }

  finished(): Promise<void> {
    return new Promise((resolve) => {
      this.done = resolve;
      this.settle();
    });
  }

  /** Sends what is due, as far as connections are free. */
  private pump(): void {
    const now = performance.now();
    // Request i is due at start + i / rate: by now, floor(rate × elapsed) + 1 of them.
    const due = Math.min(this.total, Math.floor((this.spec.rate * (now - this.start)) / 1000) + 1);
    const waiting = due - this.issued + this.inFlight;
    if (waiting > this.maxInFlight) this.maxInFlight = waiting;
    while (this.issued < due && this.inFlight < this.spec.connections && !this.stopped) {
      const scheduled = this.start + (this.issued * 1000) / this.spec.rate;
      this.issued++;
      this.inFlight++;
      if (this.histogram) this.sendLag.record(now - scheduled);
      this.pool.dispatch({ ...this.options, headers: this.headers() }, new Exchange(this, scheduled));
    }
    if (this.issued === this.total) clearInterval(this.timer);
  }

  answered(scheduled: number, status: number): void {
    const now = performance.now();
    this.inFlight--;
    this.responses++;
    this.lastAnswer = now;
    this.statusCodes[status] = (this.statusCodes[status] ?? 0) + 1;
    this.histogram?.record(now - scheduled);
    this.next();
  }

  failed(err: Error): void {
    this.inFlight--;
    if (isTimeout(err)) this.timeouts++;
    else this.errors++;
    this.next();
  }

  private next(): void {
    if (this.issued < this.total) this.pump();
    this.settle();
  }

  /** The schedule's seconds are over: what is still waiting gets `drainMs` to leave, then stays. */
  private drain(): void {
    this.draining = true;
    this.drainTimer = setTimeout(() => {
      this.stopped = true;
      this.unsent = this.total - this.issued;
      clearInterval(this.timer);
      this.settle();
    }, this.drainMs);
    this.settle();
  }

  private settle(): void {
    if (!this.draining || this.inFlight > 0 || !this.done) return;
    if (this.issued < this.total && !this.stopped) return;
    clearInterval(this.timer);
    clearTimeout(this.drainTimer);
    const cpu = process.cpuUsage(this.cpuAtStart);
    this.cpuMs = (cpu.user + cpu.system) / 1000;
    this.done();
    this.done = undefined;
  }

  result(): LoadResult {
    return {
      seconds: (this.lastAnswer - this.start) / 1000,
      responses: this.responses,
      statusCodes: this.statusCodes,
      errors: this.errors,
      timeouts: this.timeouts,
      latency: (this.histogram ?? new LatencyHistogram()).toJSON(),
      cpuMs: this.cpuMs,
      offered: this.spec.rate,
      maxInFlight: this.maxInFlight,
      unsent: this.unsent,
      sendLag: this.sendLag.summary(),
    };
  }
}

/** One request's answer, read to the end. */
class Exchange implements Dispatcher.DispatchHandler {
  private status = 0;
  constructor(
    private readonly phase: Phase,
    private readonly scheduled: number,
  ) {}
  onRequestStart(): void {}
  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }
  onResponseData(): void {}
  onResponseEnd(): void {
    this.phase.answered(this.scheduled, this.status);
  }
  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    this.phase.failed(err);
  }
}

/** Warm-up at the same rate (not recorded), then the measured seconds, on the same connections. */
export async function runPaced(spec: PacedSpec): Promise<LoadResult> {
  const url = new URL(spec.url);
  const pool = new Pool(url.origin, {
    connections: spec.connections,
    pipelining: 1,
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
    connectTimeout: TIMEOUT_MS,
  });
  const options: Omit<Dispatcher.DispatchOptions, 'headers'> = {
    path: url.pathname + url.search,
    method: spec.method,
    body: spec.body ?? null,
  };
  const headers = headerSource(spec);
  const phase = (seconds: number, drainMs: number, histogram?: LatencyHistogram) => {
    const p = new Phase(pool, spec, options, headers, seconds, drainMs, histogram);
    return p.finished().then(() => p);
  };
  try {
    await phase(Math.max(spec.warmupSec, SETTLE_SEC), 0);
    return (await phase(spec.durationSec, DRAIN_MS, new LatencyHistogram())).result();
  } finally {
    await pool.destroy();
  }
}
