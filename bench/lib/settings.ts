/** What a bench run is configured with (environment), read once. */
import { cpus, loadavg } from 'node:os';

const QUICK = process.env.BENCH_QUICK === '1';

export const settings = {
  quick: QUICK,
  /** Seconds of measured load per row. */
  durationSec: Number(process.env.BENCH_DURATION ?? (QUICK ? 2 : 10)),
  /** Seconds of load before each measurement, whose numbers are dropped (JIT, caches, connections). */
  warmupSec: Number(process.env.BENCH_WARMUP ?? (QUICK ? 1 : 3)),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
  /** Requests per second offered to the paced rows (open loop, bench/lib/paced.ts). */
  pacedRate: Number(process.env.BENCH_PACED_RATE ?? 10_000),
  /** Interleaved rows are measured in slices of about this many seconds, taken in turn. */
  sliceSec: Number(process.env.BENCH_SLICE ?? 2),
  /** Credential counts of the scale rows; the largest also holds the 10 k rotating keys. */
  scales: QUICK ? [1_000, 100_000] : [1_000, 100_000, 1_000_000],
  rotatingKeys: Number(process.env.BENCH_ROTATING_KEYS ?? 10_000),
  /** Cache size of the "every request misses" row: far below the rotating keys. */
  missCacheSize: 1_000,
  /**
   * Fresh processes measured for each of the two rows every ratio rests on (baseline, memory); the
   * row reports the median one. A Node process settles early into a fast or a slow mode and keeps
   * it (docs/performance.md, round 3), so one process per row can be off by ±30 %.
   */
  processes: Math.max(1, Number(process.env.BENCH_PROCESSES ?? (QUICK ? 1 : 3))),
  /** Comma-separated row ids to run (all when unset), for working on one row. */
  only: process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : undefined,
  keep: process.env.BENCH_KEEP === '1',
};

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, ${process.platform}`;
}

export const loadAverage = (): string =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
