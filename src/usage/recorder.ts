/**
 * Records credential use in memory and writes it in batches (at most once a second and on
 * shutdown), so the hot path never waits for, or causes, a database write per request.
 */
import type { Storage } from '../storage/index.ts';
import type { UsageTouch } from '../storage/repositories/credentials.ts';

export interface UsageEvent {
  credentialId: string;
  ip: string;
  at: number;
  status: number;
}

export class UsageRecorder {
  private pending = new Map<string, UsageTouch>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  /** Number of batches written, for tests and metrics. */
  flushes = 0;

  constructor(
    private readonly storage: Storage,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  record(event: UsageEvent): void {
    const touch = this.pending.get(event.credentialId);
    if (touch) {
      touch.lastUsedAt = event.at;
      touch.lastUsedIp = event.ip;
    } else {
      this.pending.set(event.credentialId, { credentialId: event.credentialId, lastUsedAt: event.at, lastUsedIp: event.ip });
    }
  }

  /** Writes everything recorded so far in one transaction. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => this.flush());
    if (this.pending.size === 0) return Promise.resolve();
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.flushing = this.storage
      .transaction((tx) => tx.credentials.touch(batch))
      .then(() => {
        this.flushes++;
      })
      .catch(() => {
        // Keep what failed for the next flush, unless newer data arrived meanwhile.
        for (const t of batch) if (!this.pending.has(t.credentialId)) this.pending.set(t.credentialId, t);
      })
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
