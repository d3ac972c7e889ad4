/**
 * The management API's types, inferred from the schemas the routes validate and serialize with: the
 * dashboard imports these (types only, so no server code reaches its bundle) instead of re-declaring.
 */
import type { z } from 'zod';
import type {
  createUserBody,
  patchUserBody,
  ROLES,
  sessionSchema,
  setupBody,
  setupStatusSchema,
  signedOutSchema,
  signInBody,
  userListSchema,
  userSchema,
} from './accounts.ts';
import type {
  createIntegrationBody,
  createKeyBody,
  credentialSchema,
  expireBody,
  integrationScopeSchema,
  patchIntegrationBody,
  rotateBody,
  rotatedSchema,
  withSecret,
} from './credentials.ts';
import type { dataEnvelope, deletedSchema, errorEnvelope, listEnvelope } from './envelopes.ts';
import type {
  alertEventSchema,
  auditEntrySchema,
  auditQuery,
  budgetSchema,
  requestLogEntrySchema,
  requestsQuery,
  seriesQuery,
  seriesSchema,
  usagePointSchema,
} from './usage.ts';
import type { webhookDeliverySchema, webhookEndpointSchema } from './webhooks.ts';
import type { patchWorkspaceBody, workspaceSchema } from './workspace.ts';

// Webhook endpoints and deliveries (their types are inferred in webhooks.ts).
export type {
  CreateWebhookBody,
  DeliveriesQuery,
  PatchWebhookBody,
  RotateWebhookSecretBody,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookEventType,
} from './webhooks.ts';

/** A single object's envelope: `{data: …}`. */
export type Data<T> = z.output<ReturnType<typeof dataEnvelope<z.ZodType<T>>>>;
/** A list page: `{data: [...], next_cursor}`. */
export type Page<S extends z.ZodType> = z.output<ReturnType<typeof listEnvelope<S>>>;

// Responses (what the server sends, after serialization).
export type ApiErrorBody = z.output<typeof errorEnvelope>['error'];
export type ErrorCode = ApiErrorBody['code'];
export type Role = (typeof ROLES)[number];
export type User = z.output<typeof userSchema>;
export type Session = z.output<typeof sessionSchema>;
export type SetupStatus = z.output<typeof setupStatusSchema>;
export type SignedOut = z.output<typeof signedOutSchema>;
export type Workspace = z.output<typeof workspaceSchema>;
export type WorkspaceSettings = Workspace['settings'];
export type Credential = z.output<typeof credentialSchema>;
export type CredentialStatus = Credential['status'];
export type CredentialWithSecret = z.output<typeof withSecret>;
export type RotatedCredential = z.output<typeof rotatedSchema>;
export type CredentialPage = Page<typeof credentialSchema>;
export type Deleted = z.output<typeof deletedSchema>;
export type UsageSeries = z.output<typeof seriesSchema>;
export type UsagePoint = z.output<typeof usagePointSchema>;
export type Budget = z.output<typeof budgetSchema>;
export type RequestLogEntry = z.output<typeof requestLogEntrySchema>;
export type RequestLogPage = Page<typeof requestLogEntrySchema>;
export type AuditEntry = z.output<typeof auditEntrySchema>;
export type AuditPage = Page<typeof auditEntrySchema>;
export type AlertEvent = z.output<typeof alertEventSchema>;
export type AlertPage = Page<typeof alertEventSchema>;
export type UserList = z.output<typeof userListSchema>;
export type WebhookEndpointPage = Page<typeof webhookEndpointSchema>;
export type WebhookDeliveryPage = Page<typeof webhookDeliverySchema>;

// Requests (what a client may send: defaults still optional).
export type SetupBody = z.input<typeof setupBody>;
export type SignInBody = z.input<typeof signInBody>;
export type CreateUserBody = z.input<typeof createUserBody>;
export type PatchUserBody = z.input<typeof patchUserBody>;
export type PatchWorkspaceBody = z.input<typeof patchWorkspaceBody>;
export type CreateKeyBody = z.input<typeof createKeyBody>;
export type ApiKeyScope = CreateKeyBody['scope'];
export type IntegrationScope = z.output<typeof integrationScopeSchema>;
export type { ScopeCatalogueView } from './scopes.ts';
export type CreateIntegrationBody = z.input<typeof createIntegrationBody>;
export type PatchIntegrationBody = z.input<typeof patchIntegrationBody>;
export type RotateBody = z.input<typeof rotateBody>;
// The body is preprocessed (a missing body means "now"), so its input type is `unknown`: use the output.
export type ExpireBody = z.output<typeof expireBody>;
// Query strings are coerced from text; a client sends the parsed shape.
export type SeriesQuery = Partial<z.output<typeof seriesQuery>>;
export type RequestsQuery = Partial<z.output<typeof requestsQuery>>;
export type AuditQuery = Partial<z.output<typeof auditQuery>>;
