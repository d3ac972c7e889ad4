/**
 * Memory over a run, without --expose-gc: the heap is sampled every few requests, and also measured
 * right after each major garbage collection (a `gc` performance entry), which is what stays alive. A
 * leak raises the heap after collections; garbage only raises the samples between them.
 */
import { constants, type NodeGCPerformanceDetail, PerformanceObserver } from 'node:perf_hooks';

export interface MemoryFigures {
  /** MiB: the heap after the last major collection of the warm-up (the lowest sample if none ran). */
  heapAfterWarmUp: number;
  /** The highest heap after a major collection, after warm-up. */
  liveMax: number;
  /** The heap after the run's last major collection. */
  liveAtEnd: number;
  /** The highest sample, garbage included. */
  heapPeak: number;
  rssAfterWarmUp: number;
  rssPeak: number;
  majorCollections: number;
  samples: number;
}

const MiB = 1024 * 1024;
const round = (n: number) => Math.round(n * 10) / 10;

export class MemoryWatch {
  private warm = false;
  private readonly live: { warm: boolean; heap: number }[] = [];
  private readonly samples: { warm: boolean; heap: number; rss: number }[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (
        (entry as { detail?: NodeGCPerformanceDetail }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR
      )
        continue;
      this.live.push({ warm: this.warm, heap: process.memoryUsage().heapUsed / MiB });
    }
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** From now on, figures count as after warm-up. */
  warmedUp(): void {
    this.warm = true;
  }

  sample(): void {
    const m = process.memoryUsage();
    this.samples.push({ warm: this.warm, heap: m.heapUsed / MiB, rss: m.rss / MiB });
  }

  stop(): MemoryFigures {
    this.observer.disconnect();
    this.sample();
    const after = this.samples.filter((s) => s.warm);
    const before = this.samples.filter((s) => !s.warm);
    const liveBefore = this.live.filter((l) => !l.warm);
    const liveAfter = this.live.filter((l) => l.warm);
    const firstWindow = after.slice(0, Math.max(1, Math.floor(after.length / 10)));
    const baseline = liveBefore.at(-1)?.heap ?? Math.min(...firstWindow.map((s) => s.heap));
    return {
      heapAfterWarmUp: round(baseline),
      liveMax: round(Math.max(baseline, ...liveAfter.map((l) => l.heap))),
      liveAtEnd: round(liveAfter.at(-1)?.heap ?? baseline),
      heapPeak: round(Math.max(...after.map((s) => s.heap))),
      rssAfterWarmUp: round(before.at(-1)?.rss ?? firstWindow[0]!.rss),
      rssPeak: round(Math.max(...after.map((s) => s.rss))),
      majorCollections: liveAfter.length,
      samples: this.samples.length,
    };
  }
}

/**
 * What is wrong with the figures, given the allowed growth in MiB: the live heap (after
 * collections) may grow by `limit`; the peak (garbage too) by 2.5 × that; the process by 4 ×.
 */
export function memoryProblems(m: MemoryFigures, limit: number): string[] {
  const problems: string[] = [];
  const live = m.liveMax - m.heapAfterWarmUp;
  if (live > limit)
    problems.push(`heap after garbage collection grew ${live.toFixed(1)} MiB (limit ${limit})`);
  const peak = m.heapPeak - m.heapAfterWarmUp;
  if (peak > 2.5 * limit)
    problems.push(`heap peaked ${peak.toFixed(1)} MiB above warm-up (limit ${2.5 * limit})`);
  const rss = m.rssPeak - m.rssAfterWarmUp;
  if (rss > 4 * limit) problems.push(`rss grew ${rss.toFixed(1)} MiB (limit ${4 * limit})`);
  return problems;
}

export function formatMemory(m: MemoryFigures): string {
  return (
    `heap MiB: ${m.heapAfterWarmUp} after warm-up; after collections max ${m.liveMax} ` +
    `(+${(m.liveMax - m.heapAfterWarmUp).toFixed(1)}), at end ${m.liveAtEnd} (${m.majorCollections} major); ` +
    `peak ${m.heapPeak}; rss MiB ${m.rssAfterWarmUp} → peak ${m.rssPeak} (${m.samples} samples)`
  );
}
