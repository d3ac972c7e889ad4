/** The admin API's shapes (/admin/v1): workspaces as the operator sees them, usage for billing, the audit feed. */
import { z } from 'zod';
import { pageQuery, pathId, timestamp } from './envelopes.ts';
import { auditEntrySchema, seriesQuery } from './usage.ts';

/** The operator's own id for a workspace (its customer or tenant id): unique, matched exactly. */
const externalId = z.string().min(1).max(200);

export const adminWorkspaceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    plan: z.string(),
    external_id: z.string().nullable(),
    created_at: timestamp,
  })
  .meta({ id: 'AdminWorkspace' });

export const createWorkspaceBody = z.object({
  name: z.string().trim().min(1).max(200),
  /** One of the configured plans; `professional` when omitted. */
  plan: z.string().min(1).max(50).optional(),
  external_id: externalId.nullable().optional(),
});

export const patchAdminWorkspaceBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    plan: z.string().min(1).max(50),
    /** null clears it. */
    external_id: externalId.nullable(),
  })
  .partial()
  // An empty body changes nothing and answers the workspace (a no-op, kept); the document still
  // asks for one field at least, as for every PATCH.
  .meta({ minProperties: 1 });

export const workspaceListQuery = pageQuery.extend({
  // Like an id in a path: a NUL cannot be stored, so it matches nothing (on both dialects).
  external_id: pathId.optional(),
});

export const adminUsageQuery = seriesQuery.extend({
  workspace_id: pathId.optional(),
});

export const workspaceUsageSchema = z.object({
  workspace_id: z.string(),
  t: timestamp,
  requests: z.number(),
  errors_4xx: z.number(),
  errors_5xx: z.number(),
  rate_limited: z.number(),
});
export const adminUsageResponse = z.object({ data: z.array(workspaceUsageSchema) });

export const adminAuditEntrySchema = auditEntrySchema
  .extend({ workspace_id: z.string() })
  .meta({ id: 'AdminAuditEntry' });

export const auditFeedQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(100),
  // Any string: one that was not issued is a bad cursor (400), as for every list.
  after: z.string().optional(),
});

/**
 * The feed's page: `next_cursor` is where to continue from (the last entry's position, or the
 * `after` given when nothing is new), so a follower keeps polling with it; `has_more` says whether
 * more entries are waiting right now.
 */
export const auditFeedEnvelope = z.object({
  data: z.array(adminAuditEntrySchema),
  next_cursor: z.string().nullable(),
  has_more: z.boolean(),
});
