/**
 * Records credential use in memory and writes it in batches (at most once a second and on
 * shutdown): last used, hourly counters, the recent-request log and usage alerts. The hot path
 * never waits for, or causes, a database write per request. Counting is in counters.ts, budget
 * alerts in budget-alerts.ts; this module owns the timers and the writes.
 */

import type { CachedCredential } from '../cache/credential-cache.ts';
import { type Clock, systemClock } from '../core/clock.ts';
import type { BudgetState } from '../limits/rate-limiter.ts';
import type { Storage } from '../storage/index.ts';
import type { EventRow } from '../storage/repositories/events.ts';
import { BudgetAlerts } from './budget-alerts.ts';
import { rowsOf, type UsageBatch, UsageCounters } from './counters.ts';
import { errorRateAlerts } from './error-rate-alerts.ts';
import type { UsageEventSink } from './events.ts';
import type { UsageEvent } from './recent-requests.ts';

/** The recorder's input, named where it is recorded (the middlewares import it from here). */
export type { UsageEvent } from './recent-requests.ts';

export interface UsageRecorderOptions {
  /** How often counters are written (default 1 s). */
  intervalMs?: number;
  /** How often the request log is written with them (default 5 s). */
  logIntervalMs?: number;
  /** How often the request log is pruned (default 30 s). */
  pruneIntervalMs?: number;
  /** What decides when the request log is due (tests move it by hand). */
  clock?: Clock;
}

export class UsageRecorder {
  private readonly counters = new UsageCounters();
  private readonly budgets = new BudgetAlerts();
  private readonly clock: Clock;
  private lastLogWrite: number;
  private alerts: EventRow[] = [];
  private readonly needsPrune = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private pruning: Promise<void> | undefined;
  /** Batches written, for tests and metrics. */
  flushes = 0;

  constructor(
    private readonly storage: Storage,
    /** Where alerts go (the webhook outbox in `serve`). */
    private readonly events: UsageEventSink,
    private readonly options: UsageRecorderOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.lastLogWrite = this.clock.now();
  }

  start(): void {
    this.timer = setInterval(() => {
      const logs = this.clock.now() - this.lastLogWrite >= (this.options.logIntervalMs ?? 5_000);
      void this.flush({ requestLog: logs });
    }, this.options.intervalMs ?? 1000);
    this.timer.unref();
    // Pruning has its own timer: it never lengthens a flush, and a slow one is not started twice.
    this.pruneTimer = setInterval(() => {
      if (!this.pruning) this.prune().catch(() => {});
    }, this.options.pruneIntervalMs ?? 30_000);
    this.pruneTimer.unref();
  }

  record(e: UsageEvent): void {
    this.counters.record(e);
  }

  /**
   * A request of `entry` was charged, leaving its key budget at `keyBudget`: past the workspace's
   * alert share, queue one key_budget alert per window (every path that charges calls this: the
   * bearer hook, /v1/keys/verify and the in-process middlewares).
   */
  budgetCharged(entry: CachedCredential, keyBudget: BudgetState | undefined): void {
    const alert = this.budgets.charged(entry, keyBudget);
    if (alert) this.alert(alert);
  }

  /** Queues an alert event; its id is deterministic so another instance's copy is ignored. */
  alert(event: EventRow): void {
    this.alerts.push(event);
  }

  /**
   * Writes what was recorded so far in one transaction: counters, last use and alerts, and the
   * request log unless `requestLog` is false (the timer writes it every `logIntervalMs`).
   */
  flush(options: { requestLog?: boolean } = {}): Promise<void> {
    if (this.flushing) return this.flushing.then(() => this.flush(options));
    const withLog = options.requestLog ?? true;
    if (this.counters.isEmpty(withLog) && this.alerts.length === 0) return Promise.resolve();
    const batch = this.counters.take(withLog);
    const alerts = this.alerts;
    this.alerts = [];
    if (withLog) this.lastLogWrite = this.clock.now();
    this.flushing = this.write(batch, alerts)
      .then(() => {
        this.flushes++;
      })
      .catch(() => {
        // Keep what failed for the next flush, merged with what was recorded meanwhile.
        this.counters.restore(batch);
        this.alerts.push(...alerts);
      })
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  private async write(batch: UsageBatch, alerts: EventRow[]): Promise<void> {
    const { touches, hours, requests } = rowsOf(batch);
    await this.storage.transaction(async (tx) => {
      await tx.credentials.touch(touches);
      await tx.usage.addHourly(hours);
      await tx.usage.appendRequests(requests);
      alerts.push(...(await errorRateAlerts(tx, hours)));
      for (const a of alerts) await this.events.recordOnce(tx, a);
    });
    for (const id of batch.logs?.keys() ?? []) this.needsPrune.add(id);
  }

  /**
   * Trims the request log of every credential written since the last prune to its newest rows (on
   * its own timer, not every flush: it reads each credential's log). One prune runs at a time.
   */
  prune(): Promise<void> {
    if (this.pruning) {
      const next = () => this.prune();
      return this.pruning.then(next, next);
    }
    if (this.needsPrune.size === 0) return Promise.resolve();
    const ids = [...this.needsPrune];
    this.needsPrune.clear();
    this.pruning = this.storage.usage
      .pruneRequests(ids)
      .catch((err: unknown) => {
        for (const id of ids) this.needsPrune.add(id);
        throw err;
      })
      .finally(() => {
        this.pruning = undefined;
      });
    return this.pruning;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await this.flush();
    await this.prune().catch(() => {});
  }
}
