/**
 * The judgement at the end: no answer ≥ 500, no connection error, the server alive until it was
 * stopped, and memory that does not keep growing (the rule is in scripts/soak.ts's header).
 */
import type { ServerSample } from './metrics.ts';

const MiB = 1024 * 1024;

export interface GrowthRule {
  /** Fails only when the last third's median exceeds the first third's by this fraction … */
  relative: number;
  /** … and by this many bytes. */
  absoluteBytes: number;
}

export const HEAP_RULE: GrowthRule = { relative: 0.5, absoluteBytes: 64 * MiB };
export const RSS_RULE: GrowthRule = { relative: 0.5, absoluteBytes: 128 * MiB };
/** Fewer samples after the warm-up than this and the memory is reported, not judged. */
export const MIN_JUDGED_SAMPLES = 6;

export interface Growth {
  firstMedian: number;
  lastMedian: number;
  failed: boolean;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** First third against last third of the samples, medians (robust to where the GC happened to be). */
export function growthOf(values: readonly number[], rule: GrowthRule): Growth | undefined {
  if (values.length < MIN_JUDGED_SAMPLES) return undefined;
  const third = Math.floor(values.length / 3);
  const firstMedian = median(values.slice(0, third));
  const lastMedian = median(values.slice(values.length - third));
  const grew = lastMedian - firstMedian;
  return { firstMedian, lastMedian, failed: grew > rule.absoluteBytes && grew > rule.relative * firstMedian };
}

export interface MemoryJudgement {
  failed: boolean;
  lines: string[];
}

export function judgeMemory(samples: readonly ServerSample[], warmupMs: number): MemoryJudgement {
  const after = samples.filter((s) => s.t >= warmupMs);
  const lines: string[] = [];
  let failed = false;
  for (const [name, field, rule] of [
    ['heap used', 'heapUsedBytes', HEAP_RULE],
    ['RSS', 'rssBytes', RSS_RULE],
  ] as const) {
    const values = after.map((s) => s[field]).filter((v): v is number => v !== undefined);
    const g = growthOf(values, rule);
    const limit = `fails above +${rule.relative * 100} % and +${rule.absoluteBytes / MiB} MiB`;
    if (!g) {
      lines.push(`${name}: not judged, ${values.length} samples after the ${warmupMs / 1000} s warm-up`);
      continue;
    }
    failed ||= g.failed;
    const grew = g.lastMedian - g.firstMedian;
    const pct = g.firstMedian > 0 ? (100 * grew) / g.firstMedian : 0;
    lines.push(
      `${name}: ${mib(g.firstMedian)} → ${mib(g.lastMedian)} (${sign(grew / MiB)} MiB, ${sign(pct)} %; ` +
        `medians of the first and last third of ${values.length} samples): ${g.failed ? 'GREW' : 'ok'} (${limit})`,
    );
  }
  return { failed, lines };
}

export const mib = (bytes: number | undefined) =>
  bytes === undefined ? '?' : `${(bytes / MiB).toFixed(1)} MiB`;
const sign = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
