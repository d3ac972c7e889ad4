/** The Storage: repositories over one Kysely instance, SQLite or PostgreSQL, with transactions. */
import { type Kysely, sql } from 'kysely';
import { BoardRepository, PostRepository, VoteRepository } from '../feedback/repositories.ts';
import { type DialectName, type OpenOptions, openDatabase } from './dialect.ts';
import { migrateToLatest } from './migrate.ts';
import { AuditLogRepository } from './repositories/audit-log.ts';
import { CredentialRepository } from './repositories/credentials.ts';
import { EventRepository } from './repositories/events.ts';
import { InvalidationRepository } from './repositories/invalidations.ts';
import { OperatorTokenRepository } from './repositories/operator-tokens.ts';
import { PortalLinkRepository } from './repositories/portal-links.ts';
import { UsageRepository } from './repositories/usage.ts';
import { UserRepository } from './repositories/users.ts';
import { WebhookRepository } from './repositories/webhooks.ts';
import { WorkspaceRepository } from './repositories/workspaces.ts';
import type { Database } from './schema.ts';

export interface Repositories {
  workspaces: WorkspaceRepository;
  credentials: CredentialRepository;
  invalidations: InvalidationRepository;
  boards: BoardRepository;
  posts: PostRepository;
  votes: VoteRepository;
  users: UserRepository;
  audit: AuditLogRepository;
  usage: UsageRepository;
  events: EventRepository;
  webhooks: WebhookRepository;
  operatorTokens: OperatorTokenRepository;
  portalLinks: PortalLinkRepository;
}

function repositoriesOver(db: Kysely<Database>, dialect: DialectName): Repositories {
  return {
    workspaces: new WorkspaceRepository(db),
    credentials: new CredentialRepository(db, dialect),
    invalidations: new InvalidationRepository(db),
    boards: new BoardRepository(db, dialect),
    posts: new PostRepository(db, dialect),
    votes: new VoteRepository(db, dialect),
    users: new UserRepository(db),
    audit: new AuditLogRepository(db),
    usage: new UsageRepository(db),
    events: new EventRepository(db, dialect),
    webhooks: new WebhookRepository(db, dialect),
    operatorTokens: new OperatorTokenRepository(db),
    portalLinks: new PortalLinkRepository(db),
  };
}

export class Storage implements Repositories {
  readonly workspaces: WorkspaceRepository;
  readonly credentials: CredentialRepository;
  readonly invalidations: InvalidationRepository;
  readonly boards: BoardRepository;
  readonly posts: PostRepository;
  readonly votes: VoteRepository;
  readonly users: UserRepository;
  readonly audit: AuditLogRepository;
  readonly usage: UsageRepository;
  readonly events: EventRepository;
  readonly webhooks: WebhookRepository;
  readonly operatorTokens: OperatorTokenRepository;
  readonly portalLinks: PortalLinkRepository;

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: DialectName,
  ) {
    const repos = repositoriesOver(db, dialect);
    this.workspaces = repos.workspaces;
    this.credentials = repos.credentials;
    this.invalidations = repos.invalidations;
    this.boards = repos.boards;
    this.posts = repos.posts;
    this.votes = repos.votes;
    this.users = repos.users;
    this.audit = repos.audit;
    this.usage = repos.usage;
    this.events = repos.events;
    this.webhooks = repos.webhooks;
    this.operatorTokens = repos.operatorTokens;
    this.portalLinks = repos.portalLinks;
  }

  /** Runs `fn` with repositories bound to one transaction: all of its writes land, or none. */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => fn(repositoriesOver(trx, this.dialect)));
  }

  /**
   * A transaction that runs alone among those taking the same lock, in every instance on this
   * database: a check-then-write ("no user yet? create the owner") cannot interleave with another.
   * PostgreSQL: a transaction-scoped advisory lock named by `lock`. SQLite: the first statement is a
   * no-op write, which takes the database's single write lock (a second instance waits for it, up to
   * the busy timeout, instead of reading a state the first is about to change); within one process
   * transactions already run one at a time on the one connection.
   */
  exclusiveTransaction<T>(lock: string, fn: (tx: Repositories) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      if (this.dialect === 'postgres')
        await sql`select pg_advisory_xact_lock(hashtext(${lock}))`.execute(trx);
      else await sql`delete from workspaces where 0`.execute(trx);
      return fn(repositoriesOver(trx, this.dialect));
    });
  }

  migrate(): Promise<string[]> {
    return migrateToLatest(this.db, this.dialect);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  close(): Promise<void> {
    return this.db.destroy();
  }
}

export function openStorage(url: string, options: OpenOptions = {}): Storage {
  const { db, dialect } = openDatabase(url, options);
  return new Storage(db, dialect);
}

export type { DialectName } from './dialect.ts';
