/**
 * Measuring servers under load. Rows that are compared with each other are measured interleaved:
 * all their servers run at once, idle but for the one under load, and the measured time is cut
 * into short slices taken in turn (A B C A B C …), so a change in what else the machine runs hits
 * every row alike. Rows whose state grows under load (writes, rotation) are measured alone.
 */
import { loadavg } from 'node:os';
import type { LoadSpec } from '../load.ts';
import { combine, driveSample, type Sample } from './drive.ts';
import { StealMeter } from './host.ts';
import type { ServerProcess } from './processes.ts';
import type { Row } from './report.ts';

export interface Subject {
  row: Row;
  servers: ServerProcess[];
  /** One load generator per spec; durations are set here. */
  specs: LoadSpec[];
}

export interface Timing {
  durationSec: number;
  warmupSec: number;
  /** Length of one interleaved slice. */
  sliceSec: number;
}

const cpuOf = (servers: readonly ServerProcess[]) =>
  servers.reduce((sum, s) => sum + (s.cpuMs() ?? Number.NaN), 0);
const withDuration = (specs: readonly LoadSpec[], durationSec: number) =>
  specs.map((s) => ({ ...s, durationSec, warmupSec: 0 }));

function record(
  subject: Subject,
  samples: Sample[],
  cpuMs: number,
  loads: number[],
  steal: StealMeter,
): void {
  const r = subject.row;
  r.steal = steal.share;
  r.measured = combine(samples);
  r.cpuUsPerRequest = (cpuMs * 1000) / r.measured.responses;
  r.rss = subject.servers.map((s) => s.rssMiB() ?? Number.NaN);
  r.peakRss = subject.servers.map((s) => s.peakRssMiB() ?? Number.NaN);
  r.load = loads.reduce((a, b) => a + b, 0) / loads.length;
}

/** Warm-up, then the measured run; `hooks` run just before and after the measured run. */
export async function measureAlone(
  subject: Subject,
  timing: Timing,
  hooks: { before?: () => Promise<void>; after?: () => Promise<void> } = {},
): Promise<void> {
  try {
    if (timing.warmupSec > 0) await driveSample(withDuration(subject.specs, timing.warmupSec));
    await hooks.before?.();
    const load = loadavg()[0]!;
    const cpu = cpuOf(subject.servers);
    const steal = new StealMeter();
    steal.start();
    const sample = await driveSample(withDuration(subject.specs, timing.durationSec));
    steal.stop();
    const cpuMs = cpuOf(subject.servers) - cpu;
    await hooks.after?.();
    record(subject, [sample], cpuMs, [load], steal);
  } finally {
    await Promise.all(subject.servers.map((s) => s.stop()));
  }
}

/** Each subject warmed up in turn, then `durationSec` of load each, in slices taken in turn. */
export async function measureInterleaved(
  subjects: readonly Subject[],
  timing: Timing,
  progress: (text: string) => void,
): Promise<void> {
  const live = new Map(
    subjects.map((s) => [
      s,
      { samples: [] as Sample[], cpuMs: 0, loads: [] as number[], steal: new StealMeter() },
    ]),
  );
  const fail = (subject: Subject, err: unknown) => {
    live.delete(subject);
    subject.row.skipped = `failed: ${(err as Error).message.split('\n')[0]}`;
  };
  try {
    for (const subject of subjects) {
      try {
        if (timing.warmupSec > 0) await driveSample(withDuration(subject.specs, timing.warmupSec));
      } catch (err) {
        fail(subject, err);
      }
    }
    const rounds = Math.max(1, Math.round(timing.durationSec / timing.sliceSec));
    const slice = timing.durationSec / rounds;
    for (let round = 1; round <= rounds; round++) {
      progress(`  round ${round}/${rounds}: ${live.size} rows × ${slice.toFixed(1)} s`);
      for (const [subject, acc] of live) {
        try {
          acc.loads.push(loadavg()[0]!);
          const cpu = cpuOf(subject.servers);
          acc.steal.start();
          acc.samples.push(await driveSample(withDuration(subject.specs, slice)));
          acc.steal.stop();
          acc.cpuMs += cpuOf(subject.servers) - cpu;
        } catch (err) {
          fail(subject, err);
        }
      }
    }
    for (const [subject, acc] of live) record(subject, acc.samples, acc.cpuMs, acc.loads, acc.steal);
  } finally {
    await Promise.all(subjects.flatMap((s) => s.servers.map((server) => server.stop())));
  }
}
