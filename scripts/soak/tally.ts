/** What the soak counts about its own requests: statuses, errors, unexpected answers, latency. */

/** Requests kept for the interval's latency percentiles; beyond it, a uniform sample replaces them. */
const LATENCY_RESERVOIR = 50_000;
/** Kinds of error (operation and status) told apart; more are counted under the last one. */
const MAX_KINDS = 50;

/** Failures of one kind (`create-post → 500`): how many, and the first one in full. */
export interface Kind {
  count: number;
  first: string;
  /** Seconds since the workload began (negative: during setup). */
  firstAtS: number;
}

class Kinds {
  readonly byKind = new Map<string, Kind>();
  constructor(private readonly origin: () => number) {}

  add(kind: string, line: string): void {
    const known = this.byKind.get(kind);
    if (known) known.count++;
    else if (this.byKind.size >= MAX_KINDS) this.add('(other kinds)', line);
    else
      this.byKind.set(kind, { count: 1, first: line, firstAtS: (performance.now() - this.origin()) / 1000 });
  }
}

export interface Answer {
  /** Which workload operation made the request (`get-post`, `mint-key`, …). */
  op: string;
  method: string;
  /** The path as sent, ids included (no secret is ever in a path). */
  path: string;
  /** The HTTP status, or undefined when no answer came (connection error or timeout). */
  status: number | undefined;
  /** Why no answer came, or the start of the body of a ≥ 500 answer. */
  detail?: string;
  ms: number;
  /** The status is not one the operation allows (a revoked key accepted, a missing 201, …). */
  unexpected: boolean;
}

export interface IntervalFigures {
  requests: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
}

export class Tally {
  requests = 0;
  /** ≥ 500 answers. */
  serverErrors = 0;
  /** No answer: refused, reset, timed out. */
  connectionErrors = 0;
  unexpected = 0;
  /** Operations the pacer could not start because too many requests were still in flight. */
  shed = 0;
  readonly statuses = new Map<string, number>();
  /** When the workload began (sampler.ts sets it); setup comes before. */
  workloadStart = performance.now();
  /** ≥ 500 answers and connection errors, by operation and status. */
  readonly errorKinds = new Kinds(() => this.workloadStart);
  readonly unexpectedKinds = new Kinds(() => this.workloadStart);
  private intervalRequests = 0;
  private latencies: number[] = [];
  private seenInInterval = 0;

  get errors(): number {
    return this.serverErrors + this.connectionErrors;
  }

  record(a: Answer): void {
    this.requests++;
    this.intervalRequests++;
    this.keepLatency(a.ms);
    const key = a.status === undefined ? 'conn' : String(a.status);
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
    const line = `${a.method} ${a.path} → ${key}${a.detail ? ` (${a.detail})` : ''}`;
    if (a.status === undefined || a.status >= 500) {
      if (a.status === undefined) this.connectionErrors++;
      else this.serverErrors++;
      this.errorKinds.add(`${a.op} → ${a.status === undefined ? (a.detail ?? 'conn') : key}`, line);
    } else if (a.unexpected) {
      this.unexpected++;
      this.unexpectedKinds.add(`${a.op} → ${key}`, line);
    }
  }

  /** Statuses in numeric order, connection errors last: `200:1234 201:56 404:3 conn:1`. */
  histogram(): string {
    const entries = [...this.statuses].sort(([a], [b]) => (a === 'conn' ? 1 : b === 'conn' ? -1 : +a - +b));
    return entries.map(([k, n]) => `${k}:${n}`).join(' ') || '-';
  }

  /** Figures since the previous call, which starts a new interval. */
  takeInterval(): IntervalFigures {
    const sorted = this.latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : undefined;
    const figures = { requests: this.intervalRequests, p50Ms: at(0.5), p99Ms: at(0.99) };
    this.intervalRequests = 0;
    this.latencies = [];
    this.seenInInterval = 0;
    return figures;
  }

  // Reservoir sampling keeps the percentile memory bounded whatever the rate and interval.
  private keepLatency(ms: number): void {
    this.seenInInterval++;
    if (this.latencies.length < LATENCY_RESERVOIR) this.latencies.push(ms);
    else {
      const slot = Math.floor(Math.random() * this.seenInInterval);
      if (slot < LATENCY_RESERVOIR) this.latencies[slot] = ms;
    }
  }
}
