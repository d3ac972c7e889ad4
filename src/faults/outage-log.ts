/**
 * Logs an outage of a dependency once when it starts, then the number of affected operations per
 * interval while it lasts, and once when it ends: an outage is a few lines, not a stack per request.
 */

import { redactSecrets } from '../core/redact.ts';

export type Component = 'database' | 'redis';

interface Log {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

interface Outage {
  since: number;
  /** Operations affected since the last summary line. */
  affected: number;
  total: number;
}

export interface OutageLogOptions {
  logger?: Log | undefined;
  /** How often a summary line is written while an outage lasts (default 10 s). */
  intervalMs?: number;
  now?: () => number;
}

export class OutageLog {
  private readonly outages = new Map<Component, Outage>();
  private readonly probes = new Map<Component, () => Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: OutageLogOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** How to check whether a component answers again (the database has no event that says so). */
  setProbe(component: Component, probe: () => Promise<unknown>): void {
    this.probes.set(component, probe);
  }

  /** Whether the component is known to be unavailable right now. */
  isDown(component: Component): boolean {
    return this.outages.has(component);
  }

  /** An operation failed because `component` is unavailable. */
  down(component: Component, reason?: string): void {
    const outage = this.outages.get(component);
    if (outage) {
      outage.affected++;
      outage.total++;
      return;
    }
    this.outages.set(component, { since: this.now(), affected: 1, total: 1 });
    // The reason is a driver's message; masked like every text that may quote input.
    this.options.logger?.warn(
      { component, reason: reason === undefined ? undefined : redactSecrets(reason) },
      `${component} unavailable`,
    );
    this.timer ??= setInterval(() => void this.summarise(), this.options.intervalMs ?? 10_000);
    this.timer.unref();
  }

  /** The component answers again. */
  up(component: Component): void {
    const outage = this.outages.get(component);
    if (!outage) return;
    this.outages.delete(component);
    this.options.logger?.info(
      { component, outage_ms: this.now() - outage.since, affected: outage.total },
      `${component} recovered`,
    );
    if (this.outages.size === 0) this.stop();
  }

  private async summarise(): Promise<void> {
    for (const [component, outage] of this.outages) {
      const probe = this.probes.get(component);
      if (
        probe &&
        (await probe().then(
          () => true,
          () => false,
        ))
      ) {
        this.up(component);
        continue;
      }
      if (outage.affected === 0) continue;
      this.options.logger?.warn(
        { component, affected: outage.affected, outage_ms: this.now() - outage.since },
        `${component} still unavailable`,
      );
      outage.affected = 0;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
