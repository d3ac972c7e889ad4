/** Credentials (API keys and integration tokens) and the hashed secrets that authenticate them. */
import type { Kysely, Selectable } from 'kysely';
import { fetchPage, type Page, type PageRequest } from '../page.ts';
import type { CredentialSecretTable, CredentialTable, Database, WorkspaceTable } from '../schema.ts';

export type CredentialRow = Selectable<CredentialTable>;
export type SecretRow = Selectable<CredentialSecretTable>;

/** What verification needs about a presented secret, in one read. */
export interface SecretLookup {
  credential: CredentialRow;
  secret: SecretRow;
  workspace: Selectable<WorkspaceTable>;
}

export interface UsageTouch {
  credentialId: string;
  lastUsedAt: number;
  lastUsedIp: string | null;
}

export class CredentialRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(credential: CredentialRow, secret?: SecretRow): Promise<void> {
    await this.db.insertInto('credentials').values(credential).execute();
    if (secret) await this.db.insertInto('credential_secrets').values(secret).execute();
  }

  async addSecret(secret: SecretRow): Promise<void> {
    await this.db.insertInto('credential_secrets').values(secret).execute();
  }

  async findBySecretHash(hash: string): Promise<SecretLookup | undefined> {
    const secret = await this.db
      .selectFrom('credential_secrets')
      .selectAll()
      .where('hash', '=', hash)
      .executeTakeFirst();
    if (!secret) return undefined;
    const credential = await this.db
      .selectFrom('credentials')
      .selectAll()
      .where('id', '=', secret.credential_id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!credential) return undefined;
    const workspace = await this.db
      .selectFrom('workspaces')
      .selectAll()
      .where('id', '=', credential.workspace_id)
      .executeTakeFirst();
    return workspace ? { credential, secret, workspace } : undefined;
  }

  get(workspaceId: string, id: string): Promise<CredentialRow | undefined> {
    return this.db
      .selectFrom('credentials')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
  }

  /** Finds a credential by id alone (the CLI addresses keys without a workspace). */
  getById(id: string): Promise<CredentialRow | undefined> {
    return this.db
      .selectFrom('credentials')
      .selectAll()
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
  }

  /** A deleted credential, for the audit entry of its deletion. */
  getDeleted(id: string): Promise<CredentialRow | undefined> {
    return this.db.selectFrom('credentials').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(workspaceId: string, kind: CredentialRow['kind'], page: PageRequest): Promise<Page<CredentialRow>> {
    const q = this.db
      .selectFrom('credentials')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('kind', '=', kind)
      .where('deleted_at', 'is', null);
    return fetchPage(q, 'credentials.id', page);
  }

  secretsOf(credentialId: string): Promise<SecretRow[]> {
    return this.db
      .selectFrom('credential_secrets')
      .selectAll()
      .where('credential_id', '=', credentialId)
      .orderBy('created_at', 'desc')
      .execute();
  }

  async update(
    id: string,
    patch: Partial<Omit<CredentialRow, 'id' | 'workspace_id' | 'kind'>>,
  ): Promise<void> {
    await this.db.updateTable('credentials').set(patch).where('id', '=', id).execute();
  }

  /** Marks a credential revoked once; returns false when it already was. */
  async revoke(id: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('credentials')
      .set({ revoked_at: now, updated_at: now })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Ends a secret at a time (rotation), without touching the credential's other secrets. */
  async expireSecret(hash: string, at: number): Promise<void> {
    await this.db
      .updateTable('credential_secrets')
      .set({ expires_at: at })
      .where('hash', '=', hash)
      .execute();
  }

  /** Active credentials of a workspace not used (or, if never used, created) before `cutoff`. */
  inactiveSince(workspaceId: string, cutoff: number, now: number): Promise<CredentialRow[]> {
    return this.db
      .selectFrom('credentials')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('deleted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .where((eb) => eb(eb.fn.coalesce('last_used_at', 'created_at'), '<', cutoff))
      .execute();
  }

  /** Expires a credential unless it already ended; false when another process got there first. */
  async expireIfActive(id: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('credentials')
      .set({ expires_at: now, updated_at: now })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .where('deleted_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Applies a batch of last-used updates (the usage recorder flushes these). */
  async touch(batch: readonly UsageTouch[]): Promise<void> {
    for (const t of batch) {
      await this.db
        .updateTable('credentials')
        .set({ last_used_at: t.lastUsedAt, last_used_ip: t.lastUsedIp })
        .where('id', '=', t.credentialId)
        .execute();
    }
  }
}
