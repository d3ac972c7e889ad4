/** Workspace settings: inactivity auto-expiry and usage alert thresholds, all off by default. */
import { z } from 'zod';

export const workspaceSettingsSchema = z.object({
  /** Credentials unused for this many days expire automatically; null = never. */
  inactive_expiry_days: z.number().int().min(1).max(3650).nullable().default(null),
  /** Alert when a key has used this share of its budget in a window; null = off. */
  alert_budget_percent: z.number().int().min(1).max(100).nullable().default(null),
  /** Alert when this share of a credential's requests in an hour are errors; null = off. */
  alert_error_rate_percent: z.number().int().min(1).max(100).nullable().default(null),
  /** Below this many requests in the hour, the error rate is not judged. */
  alert_error_rate_min_requests: z.number().int().min(1).max(1_000_000).default(20),
});

export type WorkspaceSettings = z.output<typeof workspaceSettingsSchema>;

export function parseWorkspaceSettings(json: string): WorkspaceSettings {
  let value: unknown = {};
  try {
    value = JSON.parse(json);
  } catch {
    // A damaged settings value falls back to the defaults rather than breaking every request.
  }
  const parsed = workspaceSettingsSchema.safeParse(value);
  return parsed.success ? parsed.data : workspaceSettingsSchema.parse({});
}
