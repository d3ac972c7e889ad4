/** Table types shared by both dialects. Times are epoch milliseconds; JSON columns are text. */
import type { Generated } from 'kysely';

export interface WorkspaceTable {
  id: string;
  name: string;
  plan: string;
  /** JSON text of WorkspaceSettings. */
  settings: string;
  /** The operator's own id for this workspace (unique when set). */
  external_id: string | null;
  created_at: number;
}

export type OperatorAccess = 'verify' | 'admin';

/** Tokens of the operator's backend: `verify` calls POST /v1/keys/verify, `admin` also /admin/v1. */
export interface OperatorTokenTable {
  id: string;
  name: string;
  access: OperatorAccess;
  /** sha256(secret), hex. */
  hash: string;
  start: string;
  created_at: number;
  revoked_at: number | null;
}

export interface CredentialTable {
  id: string;
  workspace_id: string;
  kind: 'api_key' | 'integration_token';
  name: string;
  description: string;
  /** JSON text: string[]. */
  scopes: string;
  /** Per-credential override of the plan's key limit, e.g. `1000/h`. */
  rate_limit: string | null;
  expires_at: number | null;
  revoked_at: number | null;
  deleted_at: number | null;
  last_used_at: number | null;
  last_used_ip: string | null;
  created_at: number;
  updated_at: number;
}

/** The secrets of a credential: one current, and at most one older one inside a grace period. */
export interface CredentialSecretTable {
  /** sha256(secret), hex. */
  hash: string;
  credential_id: string;
  /** First characters after the prefix, for display. */
  start: string;
  prefix: string;
  /** Set when the secret was replaced: it stops working at this time. */
  expires_at: number | null;
  created_at: number;
}

/** Changes that caches on every process must apply; polled by each server. */
export interface InvalidationTable {
  seq: Generated<number>;
  workspace_id: string;
  credential_id: string | null;
  created_at: number;
}

export interface BoardTable {
  id: string;
  workspace_id: string;
  name: string;
  slug: string;
  description: string;
  created_at: number;
  updated_at: number;
}

export interface PostTable {
  id: string;
  workspace_id: string;
  board_id: string;
  title: string;
  body: string;
  status: string;
  author: string | null;
  created_at: number;
  updated_at: number;
}

export interface VoteTable {
  id: string;
  workspace_id: string;
  post_id: string;
  voter: string;
  created_at: number;
}

export type Role = 'owner' | 'admin' | 'member';

/** A person who may sign in to the dashboard: one row per email, members of one or more workspaces. */
export interface UserTable {
  id: string;
  email: string;
  name: string | null;
  /** Null for people who only arrive through portal links. */
  password_hash: string | null;
  created_at: number;
  updated_at: number;
}

/** A person's role in one workspace. */
export interface MembershipTable {
  user_id: string;
  workspace_id: string;
  role: Role;
  created_at: number;
  updated_at: number;
}

/** Sessions are stored by the hash of their cookie value, never the value itself. */
export interface SessionTable {
  id_hash: string;
  user_id: string;
  /** The workspace the session is in (the person may switch to another of theirs). */
  workspace_id: string;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  /** The operator's page a portal session came from ("Back to <product>"). */
  return_url: string | null;
}

/** A one-time link that signs a person in to one workspace (admin API → portal). */
export interface PortalLinkTable {
  /** sha256(token), hex. */
  token_hash: string;
  workspace_id: string;
  email: string;
  name: string | null;
  role: Role;
  return_url: string | null;
  /** The operator token's name that made it. */
  created_by: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface AuditLogTable {
  id: string;
  workspace_id: string;
  actor_type: 'user' | 'cli' | 'credential' | 'system' | 'operator';
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  ip: string | null;
  /** JSON text of the changed fields before and after (never a secret). */
  before: string | null;
  after: string | null;
  created_at: number;
}

export interface UsageHourlyTable {
  credential_id: string;
  workspace_id: string;
  /** Start of the hour, epoch ms. */
  hour: number;
  requests: number;
  errors_4xx: number;
  errors_5xx: number;
  rate_limited: number;
}

export interface RequestLogTable {
  seq: Generated<number>;
  credential_id: string;
  workspace_id: string;
  method: string;
  route: string;
  status: number;
  latency_ms: number;
  ip: string | null;
  created_at: number;
}

export interface EventTable {
  id: string;
  workspace_id: string;
  type: string;
  /** JSON text. */
  data: string;
  created_at: number;
}

/** A webhook endpoint of a workspace; `secret` signs deliveries (a signing key, not a credential). */
export interface WebhookEndpointTable {
  id: string;
  workspace_id: string;
  url: string;
  description: string;
  /** JSON text: event types, or `["*"]` for all. */
  events: string;
  /** 1 or 0 (SQLite has no boolean). */
  enabled: number;
  secret: string;
  /** The secret replaced by a rotation, still signing until `previous_secret_expires_at`. */
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  /** First failed attempt since the last success; null while healthy. */
  failing_since: number | null;
  disabled_at: number | null;
  disabled_reason: string | null;
  created_at: number;
  updated_at: number;
}

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** The outbox: one row per (event, endpoint) send, retried until it succeeds or gives up. */
export interface WebhookDeliveryTable {
  id: string;
  workspace_id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: number | null;
  /** A worker's lease: until then no other worker claims the row; after it, a crash is retried. */
  locked_until: number | null;
  locked_by: string | null;
  last_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  completed_at: number | null;
}

/** One HTTP attempt of a delivery: the delivery log. */
export interface WebhookAttemptTable {
  seq: Generated<number>;
  delivery_id: string;
  endpoint_id: string;
  workspace_id: string;
  attempt: number;
  status: number | null;
  error: string | null;
  duration_ms: number;
  /** The start of the response body (truncated). */
  response_body: string | null;
  created_at: number;
}

export interface Database {
  workspaces: WorkspaceTable;
  operator_tokens: OperatorTokenTable;
  credentials: CredentialTable;
  credential_secrets: CredentialSecretTable;
  invalidations: InvalidationTable;
  boards: BoardTable;
  posts: PostTable;
  votes: VoteTable;
  users: UserTable;
  memberships: MembershipTable;
  portal_links: PortalLinkTable;
  sessions: SessionTable;
  audit_log: AuditLogTable;
  usage_hourly: UsageHourlyTable;
  request_log: RequestLogTable;
  events: EventTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
}
