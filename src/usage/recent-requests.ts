/** The request log kept in memory between writes: per credential, a ring of its newest requests. */
import type { NewRequestLogRow } from '../storage/repositories/usage.ts';
import { REQUEST_LOG_KEEP } from '../storage/repositories/usage.ts';

/** One verified request, as the recorder counts and logs it. */
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
