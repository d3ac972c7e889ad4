/**
 * Records credential use in memory and writes it in batches (at most once a second and on
 * shutdown): last used, hourly counters, the recent-request log and usage alerts. The hot path
 * never waits for, or causes, a database write per request.
 */
import type { Storage } from '../storage/index.ts';
import type { EventRow } from '../storage/repositories/events.ts';
import type { NewRequestLogRow, UsageHourRow } from '../storage/repositories/usage.ts';
import { REQUEST_LOG_KEEP } from '../storage/repositories/usage.ts';
import { emitPrepared } from '../webhooks/emit.ts';
import { errorRateAlerts } from './alerts.ts';

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

interface Pending {
  workspaceId: string;
  lastUsedAt: number;
  lastUsedIp: string;
  hours: Map<number, UsageHourRow>;
  requests: NewRequestLogRow[];
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
  older.requests = [...older.requests, ...newer.requests].slice(-REQUEST_LOG_KEEP);
  older.lastUsedAt = newer.lastUsedAt;
  older.lastUsedIp = newer.lastUsedIp;
  return older;
}

export class UsageRecorder {
  private pending = new Map<string, Pending>();
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
    private readonly options: { intervalMs?: number; pruneIntervalMs?: number } = {},
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.intervalMs ?? 1000);
    this.timer.unref();
    // Pruning has its own timer: it never lengthens a flush, and a slow one is not started twice.
    this.pruneTimer = setInterval(() => {
      if (!this.pruning) this.prune().catch(() => {});
    }, this.options.pruneIntervalMs ?? 30_000);
    this.pruneTimer.unref();
  }

  record(e: UsageEvent): void {
    let p = this.pending.get(e.credentialId);
    if (!p) {
      p = { workspaceId: e.workspaceId, lastUsedAt: e.at, lastUsedIp: e.ip, hours: new Map(), requests: [] };
      this.pending.set(e.credentialId, p);
    }
    p.lastUsedAt = e.at;
    p.lastUsedIp = e.ip;
    const hour = e.at - (e.at % HOUR);
    let counts = p.hours.get(hour);
    if (!counts) {
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
    counts.requests++;
    if (e.status === 429) counts.rate_limited++;
    if (e.status >= 500) counts.errors_5xx++;
    else if (e.status >= 400) counts.errors_4xx++;
    // Only the newest rows are kept anyway; do not hold more than that in memory.
    if (p.requests.length >= REQUEST_LOG_KEEP) p.requests.shift();
    p.requests.push({
      credential_id: e.credentialId,
      workspace_id: e.workspaceId,
      method: e.method,
      route: e.route,
      status: e.status,
      latency_ms: Math.round(e.latencyMs * 100) / 100,
      ip: e.ip,
      created_at: e.at,
    });
  }

  /** Queues an alert event; its id is deterministic so another instance's copy is ignored. */
  alert(event: EventRow): void {
    this.alerts.push(event);
  }

  /** Writes everything recorded so far in one transaction. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => this.flush());
    if (this.pending.size === 0 && this.alerts.length === 0) return Promise.resolve();
    const batch = this.pending;
    const alerts = this.alerts;
    this.pending = new Map();
    this.alerts = [];
    this.flushing = this.write(batch, alerts)
      .then(() => {
        this.flushes++;
      })
      .catch(() => {
        // Keep what failed for the next flush, merged with what was recorded meanwhile.
        for (const [id, failed] of batch) {
          const newer = this.pending.get(id);
          this.pending.set(id, newer ? mergePending(failed, newer) : failed);
        }
        this.alerts.push(...alerts);
      })
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  private async write(batch: Map<string, Pending>, alerts: EventRow[]): Promise<void> {
    const hours: UsageHourRow[] = [];
    const requests: NewRequestLogRow[] = [];
    for (const p of batch.values()) {
      hours.push(...p.hours.values());
      requests.push(...p.requests);
    }
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
    for (const id of batch.keys()) this.needsPrune.add(id);
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
