/**
 * The shared rate limiter: fixed-window counters in Redis, checked and charged by a Lua script. The
 * calls made in one event-loop turn go to Redis together, as one script run: one command, one reply
 * and one read of each counter for the whole batch instead of per call.
 */
import type { Redis } from 'ioredis';
import type { Budget, BudgetState, ConsumeResult, RateLimiter } from './rate-limiter.ts';
import { windowStart } from './rate-limiter.ts';

/**
 * KEYS: the distinct counters of the batch. ARGV[1]: the number of calls; then per call its charge
 * flag ('1' or '0'), its number of budgets, and per budget the counter's index in KEYS, the limit and
 * the TTL (ms). Returns per call each budget's count (after charging, when charged) followed by the
 * 0-based index of the first budget without room, or -1.
 *
 * The calls are decided one after another, each seeing the charges of the calls before it, exactly as
 * separate runs in that order would; the counters are read once and written once per batch. Redis runs
 * a script atomically, so no other instance can slip between a check and its charge.
 */
const SCRIPT = `
local counts, added, ttls, out = {}, {}, {}, {}
local p = 2
for _ = 1, tonumber(ARGV[1]) do
  local charge = ARGV[p] == '1'
  local n = tonumber(ARGV[p + 1])
  local first = p + 2
  local denied = -1
  for i = 0, n - 1 do
    local k = tonumber(ARGV[first + 3 * i])
    local count = counts[k]
    if count == nil then
      count = tonumber(redis.call('GET', KEYS[k]) or '0')
      counts[k] = count
      added[k] = 0
    end
    if denied < 0 and count >= tonumber(ARGV[first + 3 * i + 1]) then denied = i end
  end
  for i = 0, n - 1 do
    local k = tonumber(ARGV[first + 3 * i])
    if denied < 0 and charge then
      counts[k] = counts[k] + 1
      added[k] = added[k] + 1
      ttls[k] = ARGV[first + 3 * i + 2]
    end
    out[#out + 1] = counts[k]
  end
  out[#out + 1] = denied
  p = first + 3 * n
end
for k, a in pairs(added) do
  if a > 0 and redis.call('INCRBY', KEYS[k], a) == a then redis.call('PEXPIRE', KEYS[k], ttls[k]) end
end
return out
`;

/** KEYS: counters to give one unit back to, each only if it is above zero (and so still live). */
const REFUND_SCRIPT = `
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
return 0
`;

/** Distinct from any built-in and from other modules' scripts on a shared connection. */
const COMMAND = 'keywardRateLimitBatch';
const REFUND = 'keywardRateLimitRefund';

/** Keys outlive their window by this much, so a caller whose clock runs a little behind Redis's still finds them. */
const EXPIRY_SLACK_MS = 5_000;

/** Calls per script run at most, so one run never holds Redis for long. */
const MAX_BATCH = 500;

type ScriptCommand = {
  [COMMAND](...args: (string | number)[]): Promise<number[]>;
  [REFUND](...args: (string | number)[]): Promise<number>;
};

interface Call {
  budgets: readonly Budget[];
  now: number;
  charge: '0' | '1';
  resolve(result: ConsumeResult): void;
  reject(err: unknown): void;
}

export interface RedisRateLimiterOptions {
  /** Namespace for every key, e.g. `keyward:`; counters live under `${prefix}rl:`. */
  prefix: string;
}

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis & ScriptCommand;
  private readonly keyPrefix: string;
  private queue: Call[] = [];
  private scheduled = false;

  constructor(redis: Redis, options: RedisRateLimiterOptions) {
    // defineCommand caches the script by SHA (EVALSHA, falling back to EVAL on NOSCRIPT); redefining is harmless.
    redis.defineCommand(COMMAND, { lua: SCRIPT });
    redis.defineCommand(REFUND, { lua: REFUND_SCRIPT });
    this.redis = redis as Redis & ScriptCommand;
    this.keyPrefix = `${options.prefix}rl:`;
  }

  consume(budgets: readonly Budget[], now: number): Promise<ConsumeResult> {
    return this.enqueue(budgets, now, '1');
  }

  peek(budgets: readonly Budget[], now: number): Promise<ConsumeResult> {
    return this.enqueue(budgets, now, '0');
  }

  /** Rare (a successful sign-in): its own script run, not part of the batches. */
  async refund(budgets: readonly Budget[], now: number): Promise<void> {
    if (budgets.length === 0) return;
    const keys = budgets.map((b) => this.counterKey(b, now));
    await this.redis[REFUND](keys.length, ...keys);
  }

  private counterKey(budget: Budget, now: number): string {
    return `${this.keyPrefix}${budget.key}:${windowStart(now, budget.windowMs)}`;
  }

  /** The connection belongs to the caller, so closing the limiter leaves it open. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  private enqueue(budgets: readonly Budget[], now: number, charge: '0' | '1'): Promise<ConsumeResult> {
    if (budgets.length === 0) return Promise.resolve({ allowed: true, states: [], deniedIndex: -1 });
    return new Promise((resolve, reject) => {
      this.queue.push({ budgets, now, charge, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O callbacks of this turn: every request read from every socket joins the batch.
        setImmediate(this.flush);
      }
    });
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const queued = this.queue;
    this.queue = [];
    for (let i = 0; i < queued.length; i += MAX_BATCH) this.send(queued.slice(i, i + MAX_BATCH));
  };

  private send(calls: Call[]): void {
    const keys: string[] = [];
    const indexOf = new Map<string, number>();
    const argv: (string | number)[] = [calls.length];
    for (const call of calls) {
      argv.push(call.charge, call.budgets.length);
      for (const budget of call.budgets) {
        const key = this.counterKey(budget, call.now);
        let index = indexOf.get(key);
        if (index === undefined) {
          index = keys.push(key); // Lua counts from 1
          indexOf.set(key, index);
        }
        argv.push(index, budget.limit, budget.windowMs + EXPIRY_SLACK_MS);
      }
    }
    this.redis[COMMAND](keys.length, ...keys, ...argv).then(
      (reply) => {
        let at = 0;
        for (const call of calls) {
          call.resolve(resultOf(call, reply, at));
          at += call.budgets.length + 1;
        }
      },
      (err: unknown) => {
        for (const call of calls) call.reject(err);
      },
    );
  }
}

/** One call's decision from its part of the batch's reply, starting at `at`. */
function resultOf(call: Call, reply: number[], at: number): ConsumeResult {
  const n = call.budgets.length;
  const states: BudgetState[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const budget = call.budgets[i]!;
    states[i] = {
      key: budget.key,
      limit: budget.limit,
      remaining: Math.max(budget.limit - reply[at + i]!, 0),
      resetAt: windowStart(call.now, budget.windowMs) + budget.windowMs,
    };
  }
  const deniedIndex = reply[at + n]!;
  return { allowed: deniedIndex === -1, states, deniedIndex };
}
