/**
 * Counting: what the recorder holds in memory between two writes. Per credential its last use, its
 * hourly counters and its ring of recent requests; plain maps and no I/O, so counting a request on
 * the hot path costs a few property updates.
 */
import type { NewRequestLogRow, UsageHourRow } from '../storage/repositories/usage.ts';
import { RecentRequests, type UsageEvent } from './recent-requests.ts';

const HOUR = 3_600_000;

interface Pending {
  workspaceId: string;
  lastUsedAt: number;
  lastUsedIp: string;
  hours: Map<number, UsageHourRow>;
  /** The counters of the hour last recorded (nearly every request falls in it). */
  hour: UsageHourRow | undefined;
  /** This credential's ring in `UsageCounters.recent` (which outlives a batch of counters). */
  requests: RecentRequests;
}

/** What one write takes out of the counters; handed back whole if the write fails. */
export interface UsageBatch {
  readonly counters: Map<string, Pending>;
  /** The request log rings, when this write includes the log. */
  readonly logs: Map<string, RecentRequests> | undefined;
}

/** The rows a batch writes. */
export interface UsageRows {
  touches: { credentialId: string; lastUsedAt: number; lastUsedIp: string }[];
  hours: UsageHourRow[];
  requests: NewRequestLogRow[];
}

/** Folds `newer` into `older`: counts add up, the last use is the newer one. */
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

export class UsageCounters {
  private pending = new Map<string, Pending>();
  /**
   * The request log, taken less often than the counters: a busy key fills its ring of the newest
   * 1000 rows in well under a second, and writing 1000 rows a second only for pruning to delete them
   * again was most of the cost of usage recording.
   */
  private recent = new Map<string, RecentRequests>();

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

  /** Nothing to write: no counters, and no request log either when `withLog`. */
  isEmpty(withLog: boolean): boolean {
    return this.pending.size === 0 && (!withLog || this.recent.size === 0);
  }

  /** Hands over what was counted and starts afresh; the request log too when `withLog`. */
  take(withLog: boolean): UsageBatch {
    const batch = { counters: this.pending, logs: withLog ? this.recent : undefined };
    this.pending = new Map();
    if (withLog) this.recent = new Map();
    return batch;
  }

  /** Puts back a batch that could not be written, merged with what was counted meanwhile. */
  restore(batch: UsageBatch): void {
    for (const [id, failed] of batch.counters) {
      const newer = this.pending.get(id);
      this.pending.set(id, newer ? mergePending(failed, newer) : failed);
    }
    for (const [id, failed] of batch.logs ?? []) this.recentOf(id).absorbOlder(failed);
    // A restored batch still points at the ring it was recorded into: point it at the current one.
    for (const [id, p] of this.pending) p.requests = this.recentOf(id);
  }

  private recentOf(credentialId: string): RecentRequests {
    let ring = this.recent.get(credentialId);
    if (ring === undefined) {
      ring = new RecentRequests();
      this.recent.set(credentialId, ring);
    }
    return ring;
  }
}

export function rowsOf(batch: UsageBatch): UsageRows {
  const touches: UsageRows['touches'] = [];
  const hours: UsageHourRow[] = [];
  const requests: NewRequestLogRow[] = [];
  for (const [credentialId, p] of batch.counters) {
    touches.push({ credentialId, lastUsedAt: p.lastUsedAt, lastUsedIp: p.lastUsedIp });
    hours.push(...p.hours.values());
  }
  for (const ring of batch.logs?.values() ?? []) requests.push(...ring.rows());
  return { touches, hours, requests };
}
