/**
 * Error-rate alerts: a credential whose error rate in the hour crossed its workspace's threshold,
 * checked after each write of the counters. Event ids are derived from what they report, so each
 * fires once.
 */
import { deterministicEventId } from '../core/ids.ts';
import { parseWorkspaceSettings } from '../core/workspace-settings.ts';
import type { Repositories } from '../storage/index.ts';
import type { EventRow } from '../storage/repositories/events.ts';
import type { UsageHourRow } from '../storage/repositories/usage.ts';

/** After counters were written: the credentials whose hour now crosses their workspace's error threshold. */
export async function errorRateAlerts(
  tx: Repositories,
  touched: readonly UsageHourRow[],
): Promise<EventRow[]> {
  const out: EventRow[] = [];
  const settingsCache = new Map<string, ReturnType<typeof parseWorkspaceSettings> | undefined>();
  for (const row of touched) {
    if (!settingsCache.has(row.workspace_id)) {
      const ws = await tx.workspaces.get(row.workspace_id);
      settingsCache.set(row.workspace_id, ws ? parseWorkspaceSettings(ws.settings) : undefined);
    }
    const settings = settingsCache.get(row.workspace_id);
    if (!settings?.alert_error_rate_percent) continue;
    const [total] = await tx.usage.hourly(
      { workspaceId: row.workspace_id, credentialId: row.credential_id },
      row.hour,
      row.hour + 1,
    );
    if (!total || total.requests < settings.alert_error_rate_min_requests) continue;
    const errors = total.errors_4xx + total.errors_5xx;
    const percent = (errors / total.requests) * 100;
    if (percent < settings.alert_error_rate_percent) continue;
    out.push({
      id: deterministicEventId(row.hour, `errors:${row.credential_id}:${row.hour}`),
      workspace_id: row.workspace_id,
      type: 'usage.alert',
      data: JSON.stringify({
        kind: 'error_rate',
        credential_id: row.credential_id,
        threshold_percent: settings.alert_error_rate_percent,
        error_rate_percent: Math.round(percent * 10) / 10,
        requests: total.requests,
        errors,
        hour: new Date(row.hour).toISOString(),
      }),
      created_at: row.hour,
    });
  }
  return out;
}
