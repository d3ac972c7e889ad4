/**
 * Scrapes the server's /metrics every sample interval while the workload runs and prints the progress
 * line every report interval. Each loop is bounded by the workload's end (`stop()`).
 */
import type { SoakClient } from './client.ts';
import { type ServerSample, scrape } from './metrics.ts';
import type { WebhookReceiver } from './receiver.ts';
import { progressLine } from './report.ts';
import type { Tally } from './tally.ts';

export interface Schedule {
  sampleMs: number;
  reportMs: number;
  /** Samples before this are left out of the memory judgement (JIT, caches and pools filling). */
  warmupMs: number;
  durationMs: number;
}

/**
 * Enough samples for a first-third / last-third comparison even in a one-minute run (every 5 s),
 * every 10 s in long runs; a line a minute in runs of 5 minutes and more, else every 10 s.
 */
export function scheduleFor(durationMs: number): Schedule {
  const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
  return {
    sampleMs: clamp(Math.round(durationMs / 12), 2_000, 10_000),
    reportMs: durationMs >= 5 * 60_000 ? 60_000 : 10_000,
    warmupMs: clamp(Math.round(durationMs * 0.2), 10_000, 60_000),
    durationMs,
  };
}

export class Sampler {
  readonly samples: ServerSample[] = [];
  private began = 0;
  private lastReport = 0;
  private reportedUpTo = 0;
  private timers: NodeJS.Timeout[] = [];
  private scraping: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: SoakClient,
    private readonly tally: Tally,
    private readonly receiver: WebhookReceiver,
    private readonly schedule: Schedule,
    private readonly print: (line: string) => void,
  ) {}

  get elapsedMs(): number {
    return performance.now() - this.began;
  }

  start(): void {
    this.began = performance.now();
    this.lastReport = this.began;
    this.tally.workloadStart = this.began;
    this.tally.takeInterval();
    this.timers = [
      setInterval(() => void this.sample(), this.schedule.sampleMs),
      // The line due at the very end is the one stop() prints, with the last sample.
      setInterval(() => {
        if (this.elapsedMs < this.schedule.durationMs - 1_000) this.report();
      }, this.schedule.reportMs),
    ];
  }

  /** Ends both loops (and waits for a scrape under way). */
  async halt(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.scraping;
  }

  /** Ends both loops, takes the last sample and prints the last line. */
  async stop(): Promise<void> {
    await this.halt();
    await this.sample();
    this.report();
  }

  private sample(): Promise<unknown> {
    // One scrape at a time: a slow /metrics answer must not pile up scrapes.
    this.scraping = this.scraping.then(async () => {
      const s = await scrape(this.client, this.elapsedMs);
      if (s) this.samples.push(s);
    });
    return this.scraping;
  }

  private report(): void {
    const now = performance.now();
    const since = this.samples.filter((s) => s.t >= this.reportedUpTo);
    const lags = since.map((s) => s.lagP99Seconds).filter((v): v is number => v !== undefined);
    this.print(
      progressLine({
        elapsedMs: now - this.began,
        intervalMs: now - this.lastReport,
        interval: this.tally.takeInterval(),
        tally: this.tally,
        webhooks: this.receiver.counts(),
        sample: this.samples.at(-1),
        lagP99Seconds: lags.length ? Math.max(...lags) : undefined,
      }),
    );
    this.lastReport = now;
    this.reportedUpTo = now - this.began;
  }
}
