/**
 * Requests by route, method and status, and latency by route, counted in plain numbers on the hot
 * path and turned into Prometheus series only when /metrics is scraped. prom-client's own
 * `inc(labels)` / `observe(labels)` hash the label object on every call (~1–2 µs a request);
 * here a request costs a few increments on objects its route already holds.
 */
import type { Metric, Registry } from 'prom-client';

/** One series as the registry formats it (prom-client's own shape, not exported by its typings). */
interface SeriesValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

export const REQUESTS_METRIC = 'keyward_http_requests_total';
export const LATENCY_METRIC = 'keyward_http_request_duration_seconds';
/** Upper bounds, in seconds. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] as const;

/** One route's counters: requests by method and status, and its latency histogram. */
export class RouteStats {
  /** method → status → requests. */
  readonly requests = new Map<string, Map<number, number>>();
  /** Per bucket, the requests no slower than its bound and slower than the previous one; last = +Inf. */
  readonly buckets = new Float64Array(LATENCY_BUCKETS.length + 1);
  sum = 0;
  /** Requests in the histogram. */
  timed = 0;

  constructor(readonly route: string) {}

  /** One request and how long it took. */
  observe(method: string, status: number, milliseconds: number): void {
    this.count(method, status);
    const seconds = milliseconds / 1000;
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
    this.buckets[i]!++;
    this.sum += seconds;
    this.timed++;
  }

  /** One request whose duration is not known (it stays out of the histogram). */
  count(method: string, status: number): void {
    let byStatus = this.requests.get(method);
    if (byStatus === undefined) {
      byStatus = new Map();
      this.requests.set(method, byStatus);
    }
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }
}

/** The per-route stats of one app, and the two metrics that export them. */
export class RouteMetrics {
  private readonly routes = new Map<string, RouteStats>();

  /** The stats of a route pattern (never a URL: ids and mistaken secrets must not become labels). */
  forRoute(route: string): RouteStats {
    let stats = this.routes.get(route);
    if (stats === undefined) {
      stats = new RouteStats(route);
      this.routes.set(route, stats);
    }
    return stats;
  }

  register(registry: Registry): void {
    registry.registerMetric(
      collector(REQUESTS_METRIC, 'HTTP requests by route pattern, method and status', 'counter', () =>
        this.requestValues(),
      ),
    );
    registry.registerMetric(
      collector(LATENCY_METRIC, 'Time to answer, by route pattern', 'histogram', () => this.latencyValues()),
    );
  }

  private requestValues(): SeriesValue[] {
    const values: SeriesValue[] = [];
    for (const stats of this.routes.values()) {
      for (const [method, byStatus] of stats.requests) {
        for (const [status, value] of byStatus) {
          values.push({ labels: { method, route: stats.route, status }, value });
        }
      }
    }
    return values;
  }

  private latencyValues(): SeriesValue[] {
    const values: SeriesValue[] = [];
    for (const stats of this.routes.values()) {
      if (stats.timed === 0) continue;
      const route = stats.route;
      let cumulative = 0;
      for (let i = 0; i <= LATENCY_BUCKETS.length; i++) {
        cumulative += stats.buckets[i]!;
        const le = i < LATENCY_BUCKETS.length ? LATENCY_BUCKETS[i]! : '+Inf';
        values.push({ labels: { le, route }, value: cumulative, metricName: `${LATENCY_METRIC}_bucket` });
      }
      values.push({ labels: { route }, value: stats.sum, metricName: `${LATENCY_METRIC}_sum` });
      values.push({ labels: { route }, value: stats.timed, metricName: `${LATENCY_METRIC}_count` });
    }
    return values;
  }
}

/**
 * A metric the registry formats like its own: the registry only asks a metric for `name` and for
 * `get()` (the shape `getMetricsAsJSON()` returns), and calls `reset()` from `resetMetrics()`.
 */
function collector(
  name: string,
  help: string,
  type: 'counter' | 'histogram',
  values: () => SeriesValue[],
): Metric<string> {
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values: values() }),
    reset: () => {},
  };
  return metric as unknown as Metric<string>;
}
