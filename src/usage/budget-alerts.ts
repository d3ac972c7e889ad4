/**
 * Budget alerts: a key that used its workspace's alert share of its budget. Checked on every charged
 * request, so the check is a comparison and a map lookup; one alert per key and window.
 */
import type { CachedCredential } from '../cache/credential-cache.ts';
import { deterministicEventId } from '../core/ids.ts';
import type { BudgetState } from '../limits/rate-limiter.ts';
import type { EventRow } from '../storage/repositories/events.ts';

export function budgetAlert(input: {
  workspaceId: string;
  credentialId: string;
  thresholdPercent: number;
  limit: number;
  remaining: number;
  resetAt: number;
  windowStart: number;
}): EventRow {
  const used = input.limit - input.remaining;
  return {
    id: deterministicEventId(input.windowStart, `budget:${input.credentialId}:${input.resetAt}`),
    workspace_id: input.workspaceId,
    type: 'usage.alert',
    data: JSON.stringify({
      kind: 'key_budget',
      credential_id: input.credentialId,
      threshold_percent: input.thresholdPercent,
      used,
      limit: input.limit,
      window_resets_at: new Date(input.resetAt).toISOString(),
    }),
    created_at: input.windowStart,
  };
}

export class BudgetAlerts {
  /** Budget alerts already raised by this process, by credential: the window's reset time. */
  private readonly alerted = new Map<string, number>();

  /**
   * A request of `entry` was charged, leaving its key budget at `keyBudget`: the alert to queue when
   * that crosses the workspace's alert share for the first time in this window, else undefined.
   */
  charged(entry: CachedCredential, keyBudget: BudgetState | undefined): EventRow | undefined {
    const threshold = entry.alertBudgetPercent;
    if (!threshold || keyBudget === undefined) return undefined;
    if ((keyBudget.limit - keyBudget.remaining) * 100 < threshold * keyBudget.limit) return undefined;
    if (this.alerted.get(entry.credentialId) === keyBudget.resetAt) return undefined;
    this.alerted.set(entry.credentialId, keyBudget.resetAt);
    return budgetAlert({
      workspaceId: entry.workspaceId,
      credentialId: entry.credentialId,
      thresholdPercent: threshold,
      limit: keyBudget.limit,
      remaining: keyBudget.remaining,
      resetAt: keyBudget.resetAt,
      windowStart: keyBudget.resetAt - entry.keyLimit.windowMs,
    });
  }
}
