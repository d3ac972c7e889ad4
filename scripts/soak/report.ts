/** The soak's progress line, printed every reporting interval and at the end of the workload. */
import type { ServerSample } from './metrics.ts';
import type { ReceiverCounts } from './receiver.ts';
import type { IntervalFigures, Tally } from './tally.ts';
import { mib } from './verdict.ts';

export interface Progress {
  elapsedMs: number;
  intervalMs: number;
  interval: IntervalFigures;
  tally: Tally;
  webhooks: ReceiverCounts;
  /** The latest scrape of the interval. */
  sample: ServerSample | undefined;
  /** The highest event-loop p99 among the interval's scrapes. */
  lagP99Seconds: number | undefined;
}

const clock = (ms: number) => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};
const ms = (x: number | undefined, digits = 1) => (x === undefined ? '?' : `${x.toFixed(digits)} ms`);

export function progressLine(p: Progress): string {
  const rate = p.intervalMs > 0 ? (p.interval.requests * 1000) / p.intervalMs : 0;
  const t = p.tally;
  const queued = p.sample?.webhooksQueued;
  return [
    `[${clock(p.elapsedMs).padStart(5)}]`,
    `requests ${t.requests}`,
    `${rate.toFixed(1)} req/s`,
    `latency p50 ${ms(p.interval.p50Ms)} p99 ${ms(p.interval.p99Ms)}`,
    `statuses ${t.histogram()}`,
    `errors ${t.errors}${t.shed ? ` shed ${t.shed}` : ''}`,
    `webhooks ${p.webhooks.deliveries}${queued === undefined ? '' : ` (queued ${queued})`}`,
    `rss ${mib(p.sample?.rssBytes)} heap ${mib(p.sample?.heapUsedBytes)}`,
    `lag p99 ${ms(p.lagP99Seconds === undefined ? undefined : p.lagP99Seconds * 1000)}`,
    `cache ${p.sample?.cacheEntries ?? '?'} fds ${p.sample?.openFds ?? '?'}`,
  ].join(' | ');
}
