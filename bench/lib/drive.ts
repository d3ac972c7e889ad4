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
  /** CPU time of the load generator processes during the measured runs, per response, µs. */
  generatorCpuUsPerRequest?: number;
  /** Paced rows only (bench/lib/paced.ts): what was asked of them, and how far they fell behind. */
  paced?: Paced;
}

export interface Paced {
  /** Requests per second offered, summed over the load generators. */
  offered: number;
  /** Requests due in the measured windows that were never sent (the server fell too far behind). */
  unsent: number;
  /** Most requests due and not yet answered at once, in any one generator. */
  maxInFlight: number;
  /** The generators' own lag (send time − scheduled time, part of the latency): p99 of the worst slice, ms. */
  sendLagP99: number;
}

/** One stretch of load: its generators ran at the same time. */
export interface Sample {
  seconds: number;
  responses: number;
  failures: number;
  statusCodes: Record<string, number>;
  histogram: LatencyHistogram;
  generatorCpuMs: number;
  paced?: Paced;
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
    generatorCpuMs: 0,
  };
  for (const r of results) {
    sample.generatorCpuMs += r.cpuMs ?? Number.NaN;
    if (r.offered !== undefined) {
      sample.paced ??= { offered: 0, unsent: 0, maxInFlight: 0, sendLagP99: 0 };
      const p = sample.paced;
      p.offered += r.offered;
      p.unsent += r.unsent ?? 0;
      p.maxInFlight = Math.max(p.maxInFlight, r.maxInFlight ?? 0);
      p.sendLagP99 = Math.max(p.sendLagP99, r.sendLag?.p99 ?? 0);
    }
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
  let generatorCpuMs = 0;
  let paced: Paced | undefined;
  for (const s of samples) {
    generatorCpuMs += s.generatorCpuMs;
    if (s.paced) {
      paced ??= { offered: s.paced.offered, unsent: 0, maxInFlight: 0, sendLagP99: 0 };
      paced.unsent += s.paced.unsent;
      paced.maxInFlight = Math.max(paced.maxInFlight, s.paced.maxInFlight);
      paced.sendLagP99 = Math.max(paced.sendLagP99, s.paced.sendLagP99);
    }
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
    ...(responses && !Number.isNaN(generatorCpuMs)
      ? { generatorCpuUsPerRequest: (generatorCpuMs * 1000) / responses }
      : {}),
    ...(paced ? { paced } : {}),
  };
}

export async function drive(specs: readonly LoadSpec[]): Promise<Measured> {
  return combine([await driveSample(specs)]);
}
