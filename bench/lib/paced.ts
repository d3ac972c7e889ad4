/**
 * An open-loop load generator: requests leave at a fixed offered rate whatever the server does, and
 * each one's latency is counted from the moment it was due, not from when it got a connection.
 *
 * autocannon is closed-loop: every connection sends its next request when the last one is answered,
 * so at 50 connections the server is saturated and latency is queueing (mean = 50 / throughput). Its
 * `connectionRate` / `overallRate` options do not pace either: they reset a per-second counter, so
 * each connection fires its quota back to back at the start of every second. Here a timer every
 * ~1 ms sends the requests that have fallen due (floor(rate × elapsed) − issued), each stamped with
 * its scheduled time start + i / rate, over `spec.connections` keep-alive connections, one request
 * at a time each (bare sockets with prebuilt requests, bench/lib/raw-connection.ts). A request due
 * while all connections are busy waits (here, in a counter: the backlog is the next indices of the
 * schedule, sent as connections free up, oldest first), and its wait counts in its latency:
 * coordinated omission corrected. A request's
 * latency ends when its body has been read to the end.
 *
 * No busy loop: between the timer's ticks the process sleeps in the event loop (2 cores are shared
 * with the server). The tick is also the pacing's resolution: a request due just after a tick waits
 * for the next one (or for an answer that frees a connection, which also sends what is due), so
 * this generator's own lag, 0.5 ms on average at most, is part of every latency it reports. It is
 * reported apart (`sendLag` in the result) so it can be told from the server's share.
 */
import { readFileSync } from 'node:fs';
import type { LoadResult, LoadSpec } from '../load.ts';
import { LatencyHistogram } from './latency.ts';
import { type AnswerSink, RawConnection, requestBytes, TimeoutError } from './raw-connection.ts';

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

/** The requests' bytes: one, or one per rotating secret (sent round robin). */
function requestsOf(spec: LoadSpec): Buffer[] {
  const url = new URL(spec.url);
  const build = (headers: Record<string, string>) => requestBytes(url, spec.method, headers, spec.body);
  if (!spec.rotateSecretsFile) return [build(spec.headers)];
  const secrets = JSON.parse(readFileSync(spec.rotateSecretsFile, 'utf8')) as string[];
  return secrets.map((s) => build({ ...spec.headers, authorization: `Bearer ${s}` }));
}

/** One stretch of paced load: `seconds` of schedule, then the drain. */
class Phase implements AnswerSink {
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

  /** Connections with no request on them. */
  private readonly idle: RawConnection[] = [];

  constructor(
    connections: RawConnection[],
    private readonly spec: PacedSpec,
    private readonly requests: Buffer[],
    /** Round robin over `requests`, carried across phases. */
    private readonly nextRequest: { at: number },
    seconds: number,
    private readonly drainMs: number,
    private readonly histogram: LatencyHistogram | undefined,
  ) {
    this.idle.push(...connections); // the last phase ended with nothing in flight
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
    while (this.issued < due && this.idle.length > 0 && !this.stopped) {
      const i = this.issued++;
      this.inFlight++;
      if (this.histogram) this.sendLag.record(now - this.scheduled(i));
      const r = this.nextRequest;
      const bytes = this.requests[r.at]!;
      r.at = r.at + 1 === this.requests.length ? 0 : r.at + 1;
      this.idle.pop()!.send(bytes, i);
    }
    if (this.issued === this.total) clearInterval(this.timer);
  }

  /** When request `i` of this phase was due. */
  private scheduled(i: number): number {
    return this.start + (i * 1000) / this.spec.rate;
  }

  answered(connection: RawConnection, i: number, status: number): void {
    const now = performance.now();
    this.idle.push(connection);
    this.inFlight--;
    this.responses++;
    this.lastAnswer = now;
    this.statusCodes[status] = (this.statusCodes[status] ?? 0) + 1;
    this.histogram?.record(now - this.scheduled(i));
    this.next();
  }

  failed(connection: RawConnection, _i: number, err: Error): void {
    this.idle.push(connection);
    this.inFlight--;
    if (err instanceof TimeoutError) this.timeouts++;
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

/** Warm-up at the same rate (not recorded), then the measured seconds, on the same connections. */
export async function runPaced(spec: PacedSpec): Promise<LoadResult> {
  const url = new URL(spec.url);
  let phase: Phase | undefined;
  // Answers go to the phase under way (the drain's last answers come in before the next one starts).
  const sink: AnswerSink = {
    answered: (c, i, status) => phase!.answered(c, i, status),
    failed: (c, i, err) => phase!.failed(c, i, err),
  };
  const connections = Array.from(
    { length: spec.connections },
    () => new RawConnection(Number(url.port), url.hostname, sink, TIMEOUT_MS),
  );
  const expiry = setInterval(() => {
    const now = performance.now();
    for (const c of connections) c.expire(now);
  }, 100);
  const requests = requestsOf(spec);
  const nextRequest = { at: 0 };
  const run = async (seconds: number, drainMs: number, histogram?: LatencyHistogram) => {
    phase = new Phase(connections, spec, requests, nextRequest, seconds, drainMs, histogram);
    await phase.finished();
    return phase;
  };
  try {
    await run(Math.max(spec.warmupSec, SETTLE_SEC), 0);
    return (await run(spec.durationSec, DRAIN_MS, new LatencyHistogram())).result();
  } finally {
    clearInterval(expiry);
    for (const c of connections) c.close();
  }
}
