/** Table types shared by both dialects. Times are epoch milliseconds; JSON columns are text. */
import type { Generated } from 'kysely';

export interface WorkspaceTable {
  id: string;
  name: string;
  plan: string;
  /** JSON text of WorkspaceSettings. */
  settings: string;
  created_at: number;
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

export interface Database {
  workspaces: WorkspaceTable;
  credentials: CredentialTable;
  credential_secrets: CredentialSecretTable;
  invalidations: InvalidationTable;
  boards: BoardTable;
  posts: PostTable;
  votes: VoteTable;
}
