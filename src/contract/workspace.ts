/** The workspace as the management API shows it (plan limits, settings) and the owner's changes to it. */
import { z } from 'zod';
import { workspaceSettingsSchema } from '../core/workspace-settings.ts';
import { timestamp } from './envelopes.ts';

export const workspaceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    plan: z.string(),
    /** Where the dashboard links for a plan change (KEYWARD_UPGRADE_URL), or null. */
    upgrade_url: z
      .string()
      .meta({ format: 'uri', examples: ['https://app.example.com/billing'] })
      .nullable(),
    plan_limits: z.object({
      api_access: z.boolean(),
      key_rate_limit: z.string(),
      workspace_rate_limit: z.string().nullable(),
    }),
    settings: workspaceSettingsSchema,
    created_at: timestamp,
  })
  .meta({ id: 'Workspace' });

export const patchWorkspaceBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    /** Refused (403): plans are the operator's to change. Kept so the answer can say so. */
    plan: z.string().min(1).max(50),
    settings: workspaceSettingsSchema.partial(),
  })
  .partial()
  // An empty body changes nothing and answers the workspace (a no-op, kept); the document still
  // asks for one field at least, as for every PATCH.
  .meta({ minProperties: 1 });
