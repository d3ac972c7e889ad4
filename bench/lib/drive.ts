/** Drives load from separate processes (bench/load.ts) and merges what they measured. */
import type { LoadResult, LoadSpec } from '../load.ts';
import { LatencyHistogram, type LatencySummary } from './latency.ts';
import { runNode } from './processes.ts';

export interface Measured {
  /** Responses per second over the measured time, summed over the load generators. */
  rps: number;
  responses: number;
  /** Responses that were not 2xx, plus socket errors and timeouts. */
  failures: number;
  statusCodes: Record<string, number>;
  latency: LatencySummary;
}

/** One stretch of load: its generators ran at the same time. */
export interface Sample {
  seconds: number;
  responses: number;
  failures: number;
  statusCodes: Record<string, number>;
  histogram: LatencyHistogram;
}

/** Runs one load generator per spec, all at once, and merges their results. */
export async function driveSample(specs: readonly LoadSpec[]): Promise<Sample> {
  const outputs = await Promise.all(
    specs.map((spec) => runNode(['--import', 'tsx', 'bench/load.ts', JSON.stringify(spec)])),
  );
  const results = outputs.map((out) => JSON.parse(out.trim().split('\n').pop()!) as LoadResult);
  const sample: Sample = {
    seconds: 0,
    responses: 0,
    failures: 0,
    statusCodes: {},
    histogram: new LatencyHistogram(),
  };
  for (const r of results) {
    sample.histogram.merge(LatencyHistogram.fromJSON(r.latency));
    sample.seconds = Math.max(sample.seconds, r.seconds);
    sample.responses += r.responses;
    sample.failures += r.errors + r.timeouts;
    for (const [code, n] of Object.entries(r.statusCodes)) {
      sample.statusCodes[code] = (sample.statusCodes[code] ?? 0) + n;
      if (!code.startsWith('2')) sample.failures += n;
    }
  }
  return sample;
}

/** Several stretches of load on the same servers, as one measurement. */
export function combine(samples: readonly Sample[]): Measured {
  const histogram = new LatencyHistogram();
  const statusCodes: Record<string, number> = {};
  let seconds = 0;
  let responses = 0;
  let failures = 0;
  for (const s of samples) {
    histogram.merge(s.histogram);
    seconds += s.seconds;
    responses += s.responses;
    failures += s.failures;
    for (const [code, n] of Object.entries(s.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  }
  return {
    rps: seconds ? responses / seconds : 0,
    responses,
    failures,
    statusCodes,
    latency: histogram.summary(),
  };
}

export async function drive(specs: readonly LoadSpec[]): Promise<Measured> {
  return combine([await driveSample(specs)]);
}
