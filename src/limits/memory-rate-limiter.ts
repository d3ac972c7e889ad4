/** The in-process rate limiter: fixed-window counters in a Map, exact because one thread does each call. */
import type { Budget, BudgetState, ConsumeResult, RateLimiter } from './rate-limiter.ts';
import { windowStart } from './rate-limiter.ts';

export interface MemoryRateLimiterOptions {
  /** Most counters kept; past it the oldest windows are dropped (failing open for them). */
  maxEntries?: number;
  /** How often, in `now` time, expired windows are swept. */
  sweepIntervalMs?: number;
}

/** One counter: reset in place when its window moves on, so a key costs one entry, not one per window. */
interface Entry {
  windowEnd: number;
  count: number;
}

const ALLOWED = -1;

export class MemoryRateLimiter implements RateLimiter {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly sweepIntervalMs: number;
  private nextSweepAt = Number.NEGATIVE_INFINITY;

  constructor(options: MemoryRateLimiterOptions = {}) {
    this.maxEntries = options.maxEntries ?? 1_000_000;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
  }

  /** Counters currently held, for tests and metrics. */
  get size(): number {
    return this.entries.size;
  }

  /** The check and the charge run in one synchronous step (no await between): no other call can slip in. */
  async consume(budgets: readonly Budget[], now: number): Promise<ConsumeResult> {
    if (now >= this.nextSweepAt) this.sweep(now);
    const deniedIndex = this.firstDenied(budgets, now);
    if (deniedIndex !== ALLOWED) return this.result(budgets, now, deniedIndex);
    // Allowed: each counter is charged and its state read from the entry in hand, one lookup each.
    const states: BudgetState[] = [];
    for (let i = 0; i < budgets.length; i++) states.push(this.charge(budgets[i]!, now));
    return { allowed: true, states, deniedIndex };
  }

  async peek(budgets: readonly Budget[], now: number): Promise<ConsumeResult> {
    return this.result(budgets, now, this.firstDenied(budgets, now));
  }

  async refund(budgets: readonly Budget[], now: number): Promise<void> {
    for (const budget of budgets) {
      const entry = this.entries.get(budget.key);
      // Only the window containing `now`: a refund for an earlier window must not lower a later one.
      const windowEnd = windowStart(now, budget.windowMs) + budget.windowMs;
      if (entry !== undefined && entry.windowEnd === windowEnd && entry.count > 0) entry.count--;
    }
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  /** Count in the window containing `now`; a stale entry counts as zero without being touched. */
  private current(budget: Budget, now: number): number {
    const entry = this.entries.get(budget.key);
    if (entry === undefined) return 0;
    // An earlier `now` than the entry's window (clock step back) counts against the newer window: conservative.
    return entry.windowEnd <= now ? 0 : entry.count;
  }

  private firstDenied(budgets: readonly Budget[], now: number): number {
    for (let i = 0; i < budgets.length; i++) {
      const budget = budgets[i]!;
      if (this.current(budget, now) >= budget.limit) return i;
    }
    return ALLOWED;
  }

  /** Charges one unit and returns the budget's state after it. */
  private charge(budget: Budget, now: number): BudgetState {
    let entry = this.entries.get(budget.key);
    if (entry !== undefined && entry.windowEnd > now) {
      entry.count++;
    } else {
      const windowEnd = windowStart(now, budget.windowMs) + budget.windowMs;
      if (entry !== undefined) {
        // Re-inserting keeps the Map's insertion order roughly oldest-window-first, for eviction.
        this.entries.delete(budget.key);
        entry.windowEnd = windowEnd;
        entry.count = 1;
      } else {
        if (this.entries.size >= this.maxEntries) this.evict(now);
        entry = { windowEnd, count: 1 };
      }
      this.entries.set(budget.key, entry);
    }
    const remaining = budget.limit - entry.count;
    return {
      key: budget.key,
      limit: budget.limit,
      remaining: remaining > 0 ? remaining : 0,
      resetAt: entry.windowEnd,
    };
  }

  /** The states without charging (a refusal, or a peek). */
  private result(budgets: readonly Budget[], now: number, deniedIndex: number): ConsumeResult {
    const states: BudgetState[] = [];
    for (let i = 0; i < budgets.length; i++) {
      const budget = budgets[i]!;
      const entry = this.entries.get(budget.key);
      const live = entry !== undefined && entry.windowEnd > now;
      const remaining = live ? budget.limit - entry.count : budget.limit;
      states.push({
        key: budget.key,
        limit: budget.limit,
        remaining: remaining > 0 ? remaining : 0,
        resetAt: live ? entry.windowEnd : windowStart(now, budget.windowMs) + budget.windowMs,
      });
    }
    return { allowed: deniedIndex === ALLOWED, states, deniedIndex };
  }

  /** Drops every counter whose window has ended; runs at most once per sweep interval of `now`. */
  private sweep(now: number): void {
    this.nextSweepAt = now + this.sweepIntervalMs;
    for (const [key, entry] of this.entries) {
      if (entry.windowEnd <= now) this.entries.delete(key);
    }
  }

  /** At the cap: sweep, and if every counter is live, drop the oldest tenth so the next inserts are cheap. */
  private evict(now: number): void {
    this.sweep(now);
    if (this.entries.size < this.maxEntries) return;
    let drop = Math.max(1, Math.floor(this.maxEntries / 10));
    for (const key of this.entries.keys()) {
      this.entries.delete(key);
      if (--drop === 0) break;
    }
  }
}
