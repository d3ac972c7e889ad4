/** Credentials (API keys and integration tokens) and the hashed secrets that authenticate them. */
import { type InferResult, type Kysely, type Selectable, sql } from 'kysely';
import { inChunks, ROWS_PER_STATEMENT } from '../batch.ts';
import { CompiledStatement } from '../compiled.ts';
import type { DialectName } from '../dialect.ts';
import { fetchPage, type Page, type PageRequest } from '../page.ts';
import type { CredentialSecretTable, CredentialTable, Database, WorkspaceTable } from '../schema.ts';

export type CredentialRow = Selectable<CredentialTable>;
export type SecretRow = Selectable<CredentialSecretTable>;

/** What verification needs about a presented secret, in one read. */
export interface SecretLookup {
  credential: CredentialRow;
  secret: SecretRow;
  // What verification needs of the workspace (not the operator's external id).
  workspace: Omit<Selectable<WorkspaceTable>, 'external_id'>;
}

export interface UsageTouch {
  credentialId: string;
  lastUsedAt: number;
  lastUsedIp: string | null;
}

/** Verification's one read on a cache miss (see `findBySecretHash`). */
const lookupQuery = (db: Kysely<Database>, hash: string) =>
  db
    .selectFrom('credential_secrets as s')
    .innerJoin('credentials as c', 'c.id', 's.credential_id')
    .innerJoin('workspaces as w', 'w.id', 'c.workspace_id')
    .where('s.hash', '=', hash)
    .where('c.deleted_at', 'is', null)
    .selectAll('c')
    .select([
      's.start as s_start',
      's.prefix as s_prefix',
      's.expires_at as s_expires_at',
      's.created_at as s_created_at',
      'w.name as w_name',
      'w.plan as w_plan',
      'w.settings as w_settings',
      'w.created_at as w_created_at',
    ]);
type LookupRow = InferResult<ReturnType<typeof lookupQuery>>[number];
const lookupBySecretHash = new CompiledStatement<{ hash: string }>(['hash'], (db, { hash }) =>
  lookupQuery(db, hash),
);

export class CredentialRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  async create(credential: CredentialRow, secret?: SecretRow): Promise<void> {
    await this.db.insertInto('credentials').values(credential).execute();
    if (secret) await this.db.insertInto('credential_secrets').values(secret).execute();
  }

  async addSecret(secret: SecretRow): Promise<void> {
    await this.db.insertInto('credential_secrets').values(secret).execute();
  }

  /**
   * The secret, its credential (unless deleted) and the workspace, in one query: the credential's
   * columns as they are, and of the others only what the credential does not already say. Every
   * cache miss runs it, so it is compiled once (storage/compiled.ts): building and compiling the
   * Kysely query cost about as much CPU as SQLite running it.
   */
  async findBySecretHash(hash: string): Promise<SecretLookup | undefined> {
    const { rows } = await lookupBySecretHash.execute(this.db, this.dialect, { hash });
    const r = rows[0] as LookupRow | undefined;
    if (!r) return undefined;
    const {
      s_start,
      s_prefix,
      s_expires_at,
      s_created_at,
      w_name,
      w_plan,
      w_settings,
      w_created_at,
      ...credential
    } = r;
    return {
      credential,
      secret: {
        hash,
        credential_id: credential.id,
        start: s_start,
        prefix: s_prefix,
        expires_at: s_expires_at,
        created_at: s_created_at,
      },
      workspace: {
        id: credential.workspace_id,
        name: w_name,
        plan: w_plan,
        settings: w_settings,
        created_at: w_created_at,
      },
    };
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

  /**
   * The secrets of several credentials in one query (a page of a list), each newest first as
   * `secretsOf` returns them; a credential without secrets maps to an empty list.
   */
  async secretsOfEach(credentialIds: readonly string[]): Promise<Map<string, SecretRow[]>> {
    const byCredential = new Map<string, SecretRow[]>(credentialIds.map((id) => [id, []]));
    if (credentialIds.length === 0) return byCredential;
    const rows = await this.db
      .selectFrom('credential_secrets')
      .selectAll()
      .where('credential_id', 'in', [...credentialIds])
      .orderBy('created_at', 'desc')
      .execute();
    for (const row of rows) byCredential.get(row.credential_id)?.push(row);
    return byCredential;
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

  /**
   * Credentials whose expiry time passed in `(from, to]` and that were not revoked or deleted (the
   * webhook worker's sweep announces these as `credential.expired`).
   */
  expiredBetween(from: number, to: number): Promise<CredentialRow[]> {
    return this.db
      .selectFrom('credentials')
      .selectAll()
      .where('expires_at', '>', from)
      .where('expires_at', '<=', to)
      .where('revoked_at', 'is', null)
      .where('deleted_at', 'is', null)
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

  /**
   * Applies a batch of last-used updates (the usage recorder flushes these): one
   * `update … from (values …)` per ROWS_PER_STATEMENT credentials, on both dialects (SQLite ≥ 3.33).
   * A credential listed twice gets its last entry.
   */
  async touch(batch: readonly UsageTouch[]): Promise<void> {
    const latest = new Map<string, UsageTouch>();
    for (const t of batch) latest.set(t.credentialId, t);
    await inChunks([...latest.values()], ROWS_PER_STATEMENT, async (chunk) => {
      // VALUES columns are named column1, column2, … on both dialects. The first row's casts type the
      // columns for PostgreSQL (parameters alone would be text); SQLite reads `bigint` as integer.
      const rows = chunk.map((t, i) =>
        i === 0
          ? sql`(cast(${t.credentialId} as text), cast(${t.lastUsedAt} as bigint), cast(${t.lastUsedIp} as text))`
          : sql`(${t.credentialId}, ${t.lastUsedAt}, ${t.lastUsedIp})`,
      );
      await this.db
        .updateTable('credentials')
        .from(
          sql<{ column1: string; column2: number; column3: string | null }>`(values ${sql.join(rows)})`.as(
            'v',
          ),
        )
        .set((eb) => ({ last_used_at: eb.ref('v.column2'), last_used_ip: eb.ref('v.column3') }))
        .whereRef('credentials.id', '=', 'v.column1')
        .execute();
    });
  }
}
