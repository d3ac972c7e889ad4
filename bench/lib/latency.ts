/**
 * A latency histogram with 10 µs buckets. autocannon's own histogram stores whole milliseconds, too
 * coarse for a "p99 ≤ 2 ms" target, so the load generator records each response time here instead.
 */

const BUCKET_US = 10;
/** Buckets cover 0–1 s; slower responses are kept exactly in `overflow`. */
const BUCKETS = 100_000;

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export class LatencyHistogram {
  private readonly buckets = new Uint32Array(BUCKETS);
  private readonly overflow: number[] = [];
  private count = 0;
  private sum = 0;
  private max = 0;

  /** Records one response time in milliseconds. */
  record(ms: number): void {
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
    const index = Math.floor((ms * 1000) / BUCKET_US);
    if (index < BUCKETS) this.buckets[index]!++;
    else this.overflow.push(ms);
  }

  /** Adds another histogram's counts (two load generators against two instances). */
  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.buckets[i]! += other.buckets[i]!;
    this.overflow.push(...other.overflow);
    this.count += other.count;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      max: this.max,
      mean: this.count ? this.sum / this.count : 0,
    };
  }

  /** The upper edge of the bucket holding the p-th percentile, in ms. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) return ((i + 1) * BUCKET_US) / 1000;
    }
    const sorted = [...this.overflow].sort((a, b) => a - b);
    return sorted[rank - seen - 1] ?? this.max;
  }

  /** Compact form for passing between processes: non-empty buckets only. */
  toJSON(): { buckets: [number, number][]; overflow: number[]; sum: number; max: number } {
    const buckets: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.buckets[i]) buckets.push([i, this.buckets[i]!]);
    return { buckets, overflow: this.overflow, sum: this.sum, max: this.max };
  }

  static fromJSON(data: ReturnType<LatencyHistogram['toJSON']>): LatencyHistogram {
    const h = new LatencyHistogram();
    for (const [i, n] of data.buckets) {
      h.buckets[i] = n;
      h.count += n;
    }
    h.overflow.push(...data.overflow);
    h.count += data.overflow.length;
    h.sum = data.sum;
    h.max = data.max;
    return h;
  }
}
