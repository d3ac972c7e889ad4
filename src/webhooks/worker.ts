/**
 * The delivery worker: leases due deliveries from the outbox, sends each signed attempt and records
 * the outcome. Any number of workers may share a PostgreSQL database (leases are claimed with
 * `FOR UPDATE SKIP LOCKED`); a worker that dies mid-delivery leaves a lease that simply runs out, and
 * the delivery is retried. Runs inside `keyward serve`, or alone as `keyward worker`.
 */

import { randomBytes } from 'node:crypto';
import { type Clock, systemClock } from '../core/clock.ts';
import { iso } from '../core/time.ts';
import type { OutageLog } from '../faults/outage-log.ts';
import { isUnavailable } from '../storage/errors.ts';
import type { Storage } from '../storage/index.ts';
import type { ClaimedDelivery } from '../storage/repositories/webhook-deliveries.ts';
import type { DestinationPolicy, ResolveAll } from './destination.ts';
import { sweepExpiredCredentials } from './expiry-sweep.ts';
import type { WebhookMetrics } from './metrics.ts';
import { type Recorded, recordAttempt } from './outcome.ts';
import { WebhookSender } from './send.ts';
import { activeSecrets, signedHeaders } from './signing.ts';

export interface WorkerLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface WebhookWorkerOptions {
  storage: Storage;
  /** Schedules retries and leases (tests pass a ManualClock). */
  clock: Clock;
  policy: DestinationPolicy;
  /** An endpoint failing for this long is disabled. */
  disableAfterMs: number;
  /** Per attempt. */
  timeoutMs: number;
  /** Deliveries in flight at once. */
  concurrency?: number;
  pollIntervalMs?: number;
  /** How long a claimed delivery is ours; longer than an attempt can take. */
  leaseMs?: number;
  sweepIntervalMs?: number;
  metrics?: WebhookMetrics | undefined;
  logger?: WorkerLogger | undefined;
  /** Where a database outage is counted (and logged once) instead of a line per failed claim. */
  outages?: OutageLog | undefined;
  /** Jitter source (tests fix it). */
  random?: () => number;
  /** DNS (tests substitute it). */
  resolve?: ResolveAll;
  /** The `webhook-timestamp` clock: receivers check it against their own, so it is the real time. */
  wallClock?: Clock;
}

const silent: WorkerLogger = { error: () => {}, warn: () => {} };

export class WebhookWorker {
  readonly id = `wkr_${randomBytes(6).toString('hex')}`;
  private readonly sender: WebhookSender;
  private readonly active = new Set<Promise<void>>();
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly logger: WorkerLogger;
  private running = false;
  private stopping = false;
  private loopDone: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private lastSweep: number | undefined;

  constructor(private readonly options: WebhookWorkerOptions) {
    this.sender = new WebhookSender(options.policy, options.resolve);
    this.concurrency = options.concurrency ?? 10;
    this.leaseMs = options.leaseMs ?? 2 * options.timeoutMs + 30_000;
    this.logger = options.logger ?? silent;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
    const sweep = () =>
      void this.sweepExpired().catch((err) =>
        this.logger.error({ err: { message: (err as Error).message } }, 'webhook expiry sweep failed'),
      );
    sweep();
    this.sweepTimer = setInterval(sweep, this.options.sweepIntervalMs ?? 60_000);
    this.sweepTimer.unref();
  }

  /** Stops claiming, lets attempts in flight finish (at most one timeout), then closes. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.sweepTimer);
    this.wakeUp?.();
    await this.loopDone;
    const all = Promise.allSettled([...this.active]);
    const grace = new Promise<'late'>((r) =>
      setTimeout(() => r('late'), this.options.timeoutMs + 1_000).unref(),
    );
    if ((await Promise.race([all, grace])) === 'late') {
      // Abandoned attempts keep their lease and are retried by whoever runs next.
      this.stopping = true;
      this.sender.abortAll();
      await all;
    }
    this.sender.close();
  }

  /** Leases up to `limit` due deliveries to this worker (exposed so tests can play a crashed worker). */
  claim(limit = this.concurrency): Promise<ClaimedDelivery[]> {
    const now = this.options.clock.now();
    const token = `${this.id}:${randomBytes(6).toString('hex')}`;
    return this.options.storage.webhooks.deliveries.claim(now, limit, now + this.leaseMs, token);
  }

  /** Claims one batch and delivers it; resolves with how many deliveries it handled. */
  async runOnce(limit = this.concurrency): Promise<number> {
    const claimed = await this.claim(limit);
    await Promise.all(claimed.map((d) => this.deliver(d)));
    return claimed.length;
  }

  /** Runs batches until nothing is due (tests). */
  async drain(): Promise<number> {
    let total = 0;
    for (let n = await this.runOnce(); n > 0; n = await this.runOnce()) total += n;
    return total;
  }

  /** Emits `credential.expired` for expiry times that passed since the last sweep (see expiry-sweep.ts). */
  async sweepExpired(): Promise<number> {
    const now = this.options.clock.now();
    const emitted = await sweepExpiredCredentials(this.options.storage, this.lastSweep, now);
    this.lastSweep = now;
    return emitted;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let claimed: ClaimedDelivery[] = [];
      const free = this.concurrency - this.active.size;
      // Claim in batches (half the slots at least), not one query per finished delivery.
      if (free > 0 && (free * 2 >= this.concurrency || this.active.size === 0)) {
        try {
          claimed = await this.claim(free);
        } catch (err) {
          if (isUnavailable(err) && this.options.outages) this.options.outages.down('database');
          else this.logger.error({ err: { message: (err as Error).message } }, 'webhook claim failed');
        }
        for (const d of claimed) {
          const running: Promise<void> = this.deliver(d).then(() => {
            this.active.delete(running);
            this.wakeUp?.();
          });
          this.active.add(running);
        }
      }
      if (claimed.length === 0 || this.active.size * 2 > this.concurrency)
        await this.sleep(this.options.pollIntervalMs ?? 500);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  /** Sends one claimed delivery and records the outcome; never throws (a failure leaves the lease). */
  async deliver(d: ClaimedDelivery): Promise<Recorded | 'skipped' | 'abandoned' | 'error'> {
    const { storage, clock, metrics } = this.options;
    try {
      if (!d.enabled) {
        const now = clock.now();
        const outcome = {
          status: 'failed' as const,
          attempts: d.attempts,
          next_attempt_at: null,
          last_attempt_at: d.last_attempt_at,
          last_status: d.last_status,
          last_error: 'endpoint disabled',
          completed_at: now,
        };
        await storage.webhooks.deliveries.complete(d.id, d.locked_by as string, outcome);
        return 'skipped';
      }
      const body = `{"type":${JSON.stringify(d.event_type)},"timestamp":${JSON.stringify(iso(d.event_created_at))},"data":${d.event_data}}`;
      const sentAt = new Date((this.options.wallClock ?? systemClock).now());
      const headers = signedHeaders(activeSecrets(d, clock.now()), { id: d.event_id, sentAt, body });
      const result = await this.sender.send({ url: d.url, headers, body, timeoutMs: this.options.timeoutMs });
      if (this.stopping && result.status === null) return 'abandoned';
      const options = {
        now: clock.now(),
        disableAfterMs: this.options.disableAfterMs,
        random: this.options.random ?? Math.random,
      };
      const recorded = await storage.transaction((tx) => recordAttempt(tx, d, result, options));
      if (recorded === 'lease_lost') {
        this.logger.warn({ delivery: d.id }, 'webhook lease ended before the attempt was recorded');
        return recorded;
      }
      metrics?.latency.observe(result.durationMs / 1000);
      (recorded === 'delivered' ? metrics?.delivered : metrics?.failed)?.inc();
      if (recorded === 'gave_up') metrics?.exhausted.inc();
      return recorded;
    } catch (err) {
      this.logger.error(
        { err: { message: (err as Error).message }, delivery: d.id },
        'webhook delivery failed to record',
      );
      return 'error';
    }
  }
}
