/** The shared rate limiter: fixed-window counters in Redis, checked and charged by one Lua script per call. */
import type { Redis } from 'ioredis';
import type { Budget, BudgetState, ConsumeResult, RateLimiter } from './rate-limiter.ts';
import { windowStart } from './rate-limiter.ts';

/**
 * KEYS: one counter per budget. ARGV: charge flag ('1' or '0'), then limit and TTL (ms) per budget.
 * Returns each budget's count (after charging, when charged) followed by the 0-based denied index or -1.
 * Redis runs a script atomically, so no other instance can slip between the check and the INCRs.
 */
const SCRIPT = `
local n = #KEYS
local result = {}
local denied = -1
for i = 1, n do
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  result[i] = count
  if denied < 0 and count >= tonumber(ARGV[2 * i]) then denied = i - 1 end
end
if denied < 0 and ARGV[1] == '1' then
  for i = 1, n do
    local count = redis.call('INCR', KEYS[i])
    result[i] = count
    if count == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[2 * i + 1]) end
  end
end
result[n + 1] = denied
return result
`;

/** Distinct from any built-in and from other modules' scripts on a shared connection. */
const COMMAND = 'keywardRateLimit';

/** Keys outlive their window by this much, so a caller whose clock runs a little behind Redis's still finds them. */
const EXPIRY_SLACK_MS = 5_000;

type ScriptCommand = {
  [COMMAND](...args: (string | number)[]): Promise<number[]>;
};

export interface RedisRateLimiterOptions {
  /** Namespace for every key, e.g. `keyward:`; counters live under `${prefix}rl:`. */
  prefix: string;
}

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis & ScriptCommand;
  private readonly keyPrefix: string;

  constructor(redis: Redis, options: RedisRateLimiterOptions) {
    // defineCommand caches the script by SHA (EVALSHA, falling back to EVAL on NOSCRIPT); redefining is harmless.
    redis.defineCommand(COMMAND, { lua: SCRIPT });
    this.redis = redis as Redis & ScriptCommand;
    this.keyPrefix = `${options.prefix}rl:`;
  }

  consume(budgets: readonly Budget[], now: number): Promise<ConsumeResult> {
    return this.run(budgets, now, '1');
  }

  peek(budgets: readonly Budget[], now: number): Promise<ConsumeResult> {
    return this.run(budgets, now, '0');
  }

  /** The connection belongs to the caller, so closing the limiter leaves it open. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  private async run(budgets: readonly Budget[], now: number, charge: '0' | '1'): Promise<ConsumeResult> {
    const n = budgets.length;
    if (n === 0) return { allowed: true, states: [], deniedIndex: -1 };
    // Arguments: numkeys, N keys, charge flag, then (limit, ttl) per budget.
    const args: (string | number)[] = new Array(2 + 3 * n);
    args[0] = n;
    args[n + 1] = charge;
    const resets: number[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const budget = budgets[i]!;
      const start = windowStart(now, budget.windowMs);
      resets[i] = start + budget.windowMs;
      args[i + 1] = `${this.keyPrefix}${budget.key}:${start}`;
      args[n + 2 + 2 * i] = budget.limit;
      args[n + 3 + 2 * i] = budget.windowMs + EXPIRY_SLACK_MS;
    }
    const reply = await this.redis[COMMAND](...args);
    const deniedIndex = reply[n]!;
    const states: BudgetState[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const budget = budgets[i]!;
      const remaining = budget.limit - reply[i]!;
      states[i] = {
        key: budget.key,
        limit: budget.limit,
        remaining: Math.max(remaining, 0),
        resetAt: resets[i]!,
      };
    }
    return { allowed: deniedIndex === -1, states, deniedIndex };
  }
}
