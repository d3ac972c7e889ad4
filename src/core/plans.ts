/** Plans: whether a workspace has API access and its key and workspace rate limits. */
import { z } from 'zod';
import { parseRateLimit, type RateLimitSpec } from './durations.ts';

const rateLimitText = z.string().refine((s) => parseRateLimit(s) !== undefined, {
  message: 'expected a rate limit like 1000/h',
});

// Strict: a misspelt field (`key_rate_limt`) must be an error, not a silently ignored limit.
export const planSchema = z.strictObject({
  api_access: z.boolean(),
  key_rate_limit: rateLimitText.optional(),
  workspace_rate_limit: rateLimitText.optional(),
});

export const plansFileSchema = z.record(z.string().min(1), planSchema);

export type PlanConfig = z.infer<typeof planSchema>;

export interface Plan {
  name: string;
  apiAccess: boolean;
  keyLimit: RateLimitSpec;
  workspaceLimit: RateLimitSpec | null;
}

export const DEFAULT_KEY_LIMIT = '1000/h';

export const BUILT_IN_PLANS: Record<string, PlanConfig> = {
  free: { api_access: false },
  professional: { api_access: true, key_rate_limit: '1000/h', workspace_rate_limit: '10000/h' },
  enterprise: { api_access: true, key_rate_limit: '10000/h', workspace_rate_limit: '100000/h' },
};

/** Built-ins with a plans file merged over them: a plan of the same name replaces the built-in. */
export function resolvePlans(overrides: Record<string, PlanConfig> = {}): Map<string, Plan> {
  const merged = { ...BUILT_IN_PLANS, ...overrides };
  return new Map(
    Object.entries(merged).map(([name, p]) => [
      name,
      {
        name,
        apiAccess: p.api_access,
        keyLimit: parseRateLimit(p.key_rate_limit ?? DEFAULT_KEY_LIMIT)!,
        workspaceLimit: p.workspace_rate_limit ? parseRateLimit(p.workspace_rate_limit)! : null,
      },
    ]),
  );
}
