/**
 * Webhooks in the API contract: the event catalogue, endpoints (the signing secret shown once, on
 * creation and rotation), deliveries with their attempt log, and the bodies that change them.
 */
import { z } from 'zod';
import { atLeastOneField, pageQuery, pathId, timestamp } from './envelopes.ts';
import { DEFAULT_SECRET_OVERLAP_SECONDS, MAX_SECRET_OVERLAP_SECONDS } from './limits.ts';

/** Every event a workspace can subscribe to (DESIGN.md, Webhooks). */
export const WEBHOOK_EVENT_TYPES = [
  'post.created',
  'post.updated',
  'post.status_changed',
  'post.deleted',
  'vote.created',
  'vote.deleted',
  'board.created',
  'board.deleted',
  'credential.revoked',
  'credential.rotated',
  'credential.expired',
  'usage.alert',
] as const;

/** Sent only by "send test event", to that one endpoint, whatever it subscribes to. */
export const TEST_EVENT_TYPE = 'webhook.test';

// How long a rotated-out signing secret keeps signing by default, and at most (in limits.ts, which the
// dashboard can import at run time).
export { DEFAULT_SECRET_OVERLAP_SECONDS, MAX_SECRET_OVERLAP_SECONDS };

export const webhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES);
const subscription = z.union([z.literal('*'), webhookEventTypeSchema]);
const events = z
  .array(subscription)
  .min(1, 'subscribe to at least one event, or "*" for all')
  .max(WEBHOOK_EVENT_TYPES.length + 1);
const url = z
  .string()
  .trim()
  .max(2048)
  .refine((u) => URL.canParse(u), 'must be an absolute URL, e.g. https://example.com/webhooks');

export const webhookEndpointSchema = z
  .object({
    id: z.string(),
    url: z.string().meta({ format: 'uri', examples: ['https://example.com/webhooks/keyward'] }),
    description: z.string(),
    events: z.array(z.string()),
    enabled: z.boolean(),
    /** Why it was disabled (automatically after failing for days, or by hand); null while enabled. */
    disabled_reason: z.string().nullable(),
    disabled_at: timestamp.nullable(),
    /** First failed attempt since the last success; null while healthy. */
    failing_since: timestamp.nullable(),
    /** While a rotated-out secret still signs deliveries (two signatures per request). */
    previous_secret_expires_at: timestamp.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'WebhookEndpoint' });

export const webhookWithSecretSchema = webhookEndpointSchema.extend({ secret: z.string() });

export const webhookAttemptSchema = z.object({
  attempt: z.number().int(),
  response_status: z.number().int().nullable(),
  error: z.string().nullable(),
  duration_ms: z.number(),
  /** The start of the response body (truncated). */
  response_body: z.string().nullable(),
  created_at: timestamp,
});

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;

export const webhookDeliverySchema = z
  .object({
    id: z.string(),
    endpoint_id: z.string(),
    /** Also the `webhook-id` header: the same on every attempt and redelivery, for de-duplication. */
    event_id: z.string(),
    event_type: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempt_count: z.number().int(),
    next_attempt_at: timestamp.nullable(),
    last_attempt_at: timestamp.nullable(),
    response_status: z.number().int().nullable(),
    last_error: z.string().nullable(),
    created_at: timestamp,
    completed_at: timestamp.nullable(),
    attempts: z.array(webhookAttemptSchema),
  })
  .meta({ id: 'WebhookDelivery' });

export const createWebhookBody = z.object({
  url,
  events,
  description: z.string().max(1000).default(''),
});

export const patchWebhookBody = atLeastOneField(
  z.object({ url, events, description: z.string().max(1000), enabled: z.boolean() }).partial(),
);

// A POST without a body reaches validation as null: treat it as `{}` (the default overlap).
export const rotateWebhookSecretBody = z.preprocess(
  (body) => body ?? {},
  z.object({ overlap_seconds: z.number().int().min(0).max(MAX_SECRET_OVERLAP_SECONDS).optional() }),
);

export const deliveriesQuery = pageQuery.extend({
  status: z.enum(DELIVERY_STATUSES).optional(),
  event_type: z.string().max(100).optional(),
});

export const deliveryParams = z.object({ id: pathId, delivery_id: pathId });

// Types for the dashboard and clients (inferred, never re-declared).
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export type WebhookEndpoint = z.output<typeof webhookEndpointSchema>;
export type WebhookEndpointWithSecret = z.output<typeof webhookWithSecretSchema>;
export type WebhookDelivery = z.output<typeof webhookDeliverySchema>;
export type WebhookAttempt = z.output<typeof webhookAttemptSchema>;
export type CreateWebhookBody = z.input<typeof createWebhookBody>;
export type PatchWebhookBody = z.input<typeof patchWebhookBody>;
export type RotateWebhookSecretBody = z.output<typeof rotateWebhookSecretBody>;
export type DeliveriesQuery = Partial<z.output<typeof deliveriesQuery>>;
export type WebhookDeliveryStatus = (typeof DELIVERY_STATUSES)[number];
