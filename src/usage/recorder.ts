/**
 * Records credential use in memory and writes it in batches (at most once a second and on
 * shutdown): last used, hourly counters, the recent-request log and usage alerts. The hot path
 * never waits for, or causes, a database write per request.
 */

import type { CachedCredential } from '../cache/credential-cache.ts';
import type { BudgetState } from '../limits/rate-limiter.ts';
import type { Storage } from '../storage/index.ts';
import type { EventRow } from '../storage/repositories/events.ts';
import type { NewRequestLogRow, UsageHourRow } from '../storage/repositories/usage.ts';
import { REQUEST_LOG_KEEP } from '../storage/repositories/usage.ts';
import { emitPrepared } from '../webhooks/emit.ts';
import { budgetAlert, errorRateAlerts } from './alerts.ts';

export interface UsageEvent {
  credentialId: string;
  workspaceId: string;
  ip: string;
  at: number;
  method: string;
  route: string;
  status: number;
  latencyMs: number;
}

const HOUR = 3_600_000;

/**
 * The newest REQUEST_LOG_KEEP requests of a credential: a ring whose row objects are reused once it
 * is full, so a busy key allocates at most that many rows per batch instead of one per request.
 */
export class RecentRequests {
  private readonly ring: NewRequestLogRow[] = [];
  /** Where the next row goes once the ring is full (then also the oldest row). */
  private next = 0;

  constructor(private readonly capacity = REQUEST_LOG_KEEP) {}

  get length(): number {
    return this.ring.length;
  }

  add(e: UsageEvent): void {
    const latency = Math.round(e.latencyMs * 100) / 100;
    if (this.ring.length < this.capacity) {
      this.ring.push({
        credential_id: e.credentialId,
        workspace_id: e.workspaceId,
        method: e.method,
        route: e.route,
        status: e.status,
        latency_ms: latency,
        ip: e.ip,
        created_at: e.at,
      });
      return;
    }
    const row = this.ring[this.next]!;
    row.method = e.method;
    row.route = e.route;
    row.status = e.status;
    row.latency_ms = latency;
    row.ip = e.ip;
    row.created_at = e.at;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Oldest first. */
  rows(): NewRequestLogRow[] {
    return this.next === 0
      ? this.ring.slice()
      : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }

  /** Puts `older`'s rows before this ring's own, keeping the newest `capacity` (in place: writers hold it). */
  absorbOlder(older: RecentRequests): void {
    const rows = [...older.rows(), ...this.rows()].slice(-this.capacity);
    this.ring.length = 0;
    this.ring.push(...rows);
    this.next = 0;
  }
}

interface Pending {
  workspaceId: string;
  lastUsedAt: number;
  lastUsedIp: string;
  hours: Map<number, UsageHourRow>;
  /** The counters of the hour last recorded (nearly every request falls in it). */
  hour: UsageHourRow | undefined;
  /** This credential's ring in `UsageRecorder.recent` (which outlives a batch of counters). */
  requests: RecentRequests;
}

/** Folds `newer` into `older`: counts add up, the request log keeps order and its cap. */
function mergePending(older: Pending, newer: Pending): Pending {
  for (const [hour, n] of newer.hours) {
    const o = older.hours.get(hour);
    if (!o) {
      older.hours.set(hour, n);
      continue;
    }
    o.requests += n.requests;
    o.errors_4xx += n.errors_4xx;
    o.errors_5xx += n.errors_5xx;
    o.rate_limited += n.rate_limited;
  }
  older.hour = undefined;
  older.lastUsedAt = newer.lastUsedAt;
  older.lastUsedIp = newer.lastUsedIp;
  return older;
}

export class UsageRecorder {
  private pending = new Map<string, Pending>();
  /**
   * The request log, written less often than the counters (every `logIntervalMs`): a busy key fills
   * its ring of the newest 1000 rows in well under a second, and writing 1000 rows a second only for
   * pruning to delete them again was most of the cost of usage recording.
   */
  private recent = new Map<string, RecentRequests>();
  private lastLogWrite = Date.now();
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
    private readonly options: { intervalMs?: number; logIntervalMs?: number; pruneIntervalMs?: number } = {},
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      const logs = Date.now() - this.lastLogWrite >= (this.options.logIntervalMs ?? 5_000);
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
    let p = this.pending.get(e.credentialId);
    if (p === undefined) {
      p = {
        workspaceId: e.workspaceId,
        lastUsedAt: e.at,
        lastUsedIp: e.ip,
        hours: new Map(),
        hour: undefined,
        requests: this.recentOf(e.credentialId),
      };
      this.pending.set(e.credentialId, p);
    }
    p.lastUsedAt = e.at;
    p.lastUsedIp = e.ip;
    const hour = e.at - (e.at % HOUR);
    let counts = p.hour;
    if (counts === undefined || counts.hour !== hour) {
      counts = p.hours.get(hour);
      if (counts === undefined) {
        counts = {
          credential_id: e.credentialId,
          workspace_id: e.workspaceId,
          hour,
          requests: 0,
          errors_4xx: 0,
          errors_5xx: 0,
          rate_limited: 0,
        };
        p.hours.set(hour, counts);
      }
      p.hour = counts;
    }
    counts.requests++;
    if (e.status >= 400) {
      if (e.status === 429) counts.rate_limited++;
      if (e.status >= 500) counts.errors_5xx++;
      else counts.errors_4xx++;
    }
    p.requests.add(e);
  }

  private recentOf(credentialId: string): RecentRequests {
    let ring = this.recent.get(credentialId);
    if (ring === undefined) {
      ring = new RecentRequests();
      this.recent.set(credentialId, ring);
    }
    return ring;
  }

  /** Budget alerts already queued by this process, by credential: the window's reset time. */
  private readonly budgetAlerted = new Map<string, number>();

  /**
   * A request of `entry` was charged, leaving its key budget at `keyBudget`: past the workspace's
   * alert share, queue one key_budget alert per window (every path that charges calls this: the
   * bearer hook, /v1/keys/verify and the in-process middlewares).
   */
  budgetCharged(entry: CachedCredential, keyBudget: BudgetState | undefined): void {
    const threshold = entry.alertBudgetPercent;
    if (!threshold || keyBudget === undefined) return;
    if ((keyBudget.limit - keyBudget.remaining) * 100 < threshold * keyBudget.limit) return;
    if (this.budgetAlerted.get(entry.credentialId) === keyBudget.resetAt) return;
    this.budgetAlerted.set(entry.credentialId, keyBudget.resetAt);
    this.alert(
      budgetAlert({
        workspaceId: entry.workspaceId,
        credentialId: entry.credentialId,
        thresholdPercent: threshold,
        limit: keyBudget.limit,
        remaining: keyBudget.remaining,
        resetAt: keyBudget.resetAt,
        windowStart: keyBudget.resetAt - entry.keyLimit.windowMs,
      }),
    );
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
    if (this.pending.size === 0 && this.alerts.length === 0 && (!withLog || this.recent.size === 0))
      return Promise.resolve();
    const batch = this.pending;
    const alerts = this.alerts;
    const logs = withLog ? this.recent : undefined;
    this.pending = new Map();
    this.alerts = [];
    if (logs) {
      this.recent = new Map();
      this.lastLogWrite = Date.now();
    }
    this.flushing = this.write(batch, logs, alerts)
      .then(() => {
        this.flushes++;
      })
      .catch(() => {
        // Keep what failed for the next flush, merged with what was recorded meanwhile.
        for (const [id, failed] of batch) {
          const newer = this.pending.get(id);
          this.pending.set(id, newer ? mergePending(failed, newer) : failed);
        }
        for (const [id, failed] of logs ?? []) this.recentOf(id).absorbOlder(failed);
        // A restored batch still points at the ring it was recorded into: point it at the current one.
        for (const [id, p] of this.pending) p.requests = this.recentOf(id);
        this.alerts.push(...alerts);
      })
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  private async write(
    batch: Map<string, Pending>,
    logs: Map<string, RecentRequests> | undefined,
    alerts: EventRow[],
  ): Promise<void> {
    const hours: UsageHourRow[] = [];
    const requests: NewRequestLogRow[] = [];
    for (const p of batch.values()) hours.push(...p.hours.values());
    for (const ring of logs?.values() ?? []) requests.push(...ring.rows());
    await this.storage.transaction(async (tx) => {
      await tx.credentials.touch(
        [...batch].map(([credentialId, p]) => ({
          credentialId,
          lastUsedAt: p.lastUsedAt,
          lastUsedIp: p.lastUsedIp,
        })),
      );
      await tx.usage.addHourly(hours);
      await tx.usage.appendRequests(requests);
      alerts.push(...(await errorRateAlerts(tx, hours)));
      // Deterministic ids: an alert another instance already recorded is neither stored nor sent twice.
      for (const a of alerts) await emitPrepared(tx, a, a.created_at, true);
    });
    for (const id of logs?.keys() ?? []) this.needsPrune.add(id);
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
