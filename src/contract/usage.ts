/** Usage time series, budget use, the recent-request log, the audit log and usage alerts. */
import { z } from 'zod';
import { pageQuery, timestamp } from './envelopes.ts';

export const seriesQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  granularity: z.enum(['hour', 'day']).default('hour'),
});

export const usagePointSchema = z.object({
  t: timestamp,
  requests: z.number(),
  errors_4xx: z.number(),
  errors_5xx: z.number(),
  rate_limited: z.number(),
});

export const budgetSchema = z
  .object({
    limit: z.number(),
    remaining: z.number(),
    used: z.number(),
    reset: z.string(),
    window: z.string(),
  })
  .nullable();

export const seriesSchema = z.object({
  from: z.string(),
  to: z.string(),
  granularity: z.enum(['hour', 'day']),
  points: z.array(usagePointSchema),
  totals: usagePointSchema.omit({ t: true }),
  budget: budgetSchema,
});

export const requestLogEntrySchema = z.object({
  method: z.string(),
  route: z.string(),
  status: z.number(),
  latency_ms: z.number(),
  ip: z.string().nullable(),
  created_at: timestamp,
});

export const requestsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  // Any string, like every list: one that was not issued is a bad cursor (400), not a validation error.
  cursor: z.string().optional(),
  status: z.union([z.enum(['success', 'error']), z.coerce.number().int().min(100).max(599)]).optional(),
});

export const auditEntrySchema = z
  .object({
    id: z.string(),
    action: z.string(),
    actor: z.object({ type: z.string(), id: z.string().nullable(), label: z.string().nullable() }),
    target: z.object({ type: z.string(), id: z.string().nullable() }),
    ip: z.string().nullable(),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
    created_at: timestamp,
  })
  .meta({ id: 'AuditEntry' });

export const auditQuery = pageQuery.extend({
  action: z.string().max(100).optional(),
  target_id: z.string().max(100).optional(),
  actor_id: z.string().max(100).optional(),
});

export const alertEventSchema = z.object({
  id: z.string(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
  created_at: timestamp,
});
