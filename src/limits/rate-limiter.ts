/** The rate limiter interface: fixed windows, several budgets consumed together or not at all. */

export interface Budget {
  /** The counter's name, e.g. `key:key_…` or `ws:ws_…`; the backend adds its own namespace. */
  key: string;
  limit: number;
  windowMs: number;
}

export interface BudgetState {
  key: string;
  limit: number;
  /** What is left in the current window after this decision (never negative). */
  remaining: number;
  /** When the current window ends, epoch milliseconds. */
  resetAt: number;
}

export interface ConsumeResult {
  /** True when every budget had room; then each was charged one unit. */
  allowed: boolean;
  /** One state per budget, in the order given. */
  states: BudgetState[];
  /** Index of the first budget that had no room, when not allowed. */
  deniedIndex: number;
}

/** Every backend answers with a promise, in-process or not, so callers have one way to use it. */
export interface RateLimiter {
  /**
   * Charges one unit to every budget if all have room, atomically (no other caller can slip between
   * the check and the charge); charges nothing otherwise.
   */
  consume(budgets: readonly Budget[], now: number): Promise<ConsumeResult>;
  /** The states without charging anything. */
  peek(budgets: readonly Budget[], now: number): Promise<ConsumeResult>;
  /**
   * Gives back the unit `consume` charged each budget at `now`, for an attempt that turned out not to
   * count (a sign-in charged up front that succeeded). Never below zero; a window that has ended is
   * left alone.
   */
  refund(budgets: readonly Budget[], now: number): Promise<void>;
  close(): Promise<void>;
}

/** Start of the fixed window that contains `now`. */
export const windowStart = (now: number, windowMs: number): number => now - (now % windowMs);
