/**
 * The app under fuzzing: a real Keyward listening on 127.0.0.1, a workspace with credentials of
 * every kind, another workspace whose ids must stay invisible, and pools of objects for ids to name,
 * replenished (and sessions repaired) between batches as the fuzzer deletes and signs out.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import { hashPassword } from '../../src/accounts/passwords.ts';
import { SESSION_COOKIE } from '../../src/accounts/sessions.ts';
import { insertUser } from '../../src/accounts/users.ts';
import { CLI_ACTOR } from '../../src/audit/record.ts';
import { generateSecret } from '../../src/core/secrets.ts';
import { createApiKey } from '../../src/credentials/api-keys.ts';
import type { Role } from '../../src/storage/schema.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestDatabase } from '../support/storages.ts';
import type { IdType } from './openapi.ts';
import { addMadeUpSecrets, SecretBook } from './secrets.ts';

/** A public address that needs no DNS (TEST-NET-3); the test app runs no webhook worker. */
const WEBHOOK_URL = 'https://203.0.113.7/keyward';
const PASSWORD = 'correct horse battery staple';
const POOL_SIZE = 8;
const ALL_SCOPES = ['boards', 'posts', 'votes', 'webhooks'].flatMap((r) => [`${r}:read`, `${r}:write`]);

export type Pool = Record<IdType | 'foreign', string[]>;

export interface SessionCredentials {
  token: string;
  csrf: string;
}

/** The bearer secrets by role: each is also in the book, under the label `$<NAME>`. */
export const BEARERS = [
  'rw',
  'ro',
  'int',
  'free',
  'tiny',
  'revoked',
  'expired',
  'deleted',
  'operator',
  'admin',
] as const;
export type Bearer = (typeof BEARERS)[number];
export const SESSIONS = ['owner', 'member', 'foreign'] as const;
export type SessionName = (typeof SESSIONS)[number];

export interface FuzzTarget {
  t: TestApp;
  /** `sqlite:…`, or the PostgreSQL server's URL (without the schema of this run), for replays. */
  database: string;
  port: number;
  book: SecretBook;
  bearer: Record<Bearer, string>;
  sessions: Record<SessionName, SessionCredentials>;
  pool: Pool;
  /** [webhook id, delivery id] pairs of the own workspace. */
  deliveries: [string, string][];
  /** Starts a session again for each one a fuzzed request signed out. */
  repairSessions(): Promise<void>;
  /** Replenishes the pools (and repairs the sessions). */
  maintain(): Promise<void>;
  close(): Promise<void>;
}

type UserRow = Awaited<ReturnType<typeof insertUser>>;

export async function startFuzzTarget(db: TestDatabase, seed: number): Promise<FuzzTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-fuzz-'));
  const plansFile = join(dir, 'plans.json');
  // Budgets far above any run, so the fuzzer explores the routes instead of a wall of 429s.
  const huge = { api_access: true, key_rate_limit: '1000000000/h', workspace_rate_limit: '1000000000/h' };
  writeFileSync(plansFile, JSON.stringify({ professional: huge }));
  const operatorSecret = generateSecret('kwo_');
  const adminSecret = generateSecret('kwo_');
  const t = await startTestApp({
    db,
    config: {
      plansFile,
      serviceToken: operatorSecret,
      adminToken: adminSecret,
      authFailureLimit: '1000000000/m',
      headersTimeout: 2_000,
      requestTimeout: 4_000,
    },
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const book = new SecretBook();
  const passwordHash = await hashPassword(PASSWORD);
  const ws = await t.workspace('professional', 'Fuzz');
  const foreignWs = await t.workspace('professional', 'Elsewhere');
  const freeWs = await t.workspace('free', 'Free');

  let users = 0;
  const addUser = (workspaceId: string, role: Role): Promise<UserRow> => {
    const input = { workspaceId, email: `fuzz-${role}-${++users}@acme.test`, password: PASSWORD, role };
    const now = t.clock.now();
    return t.deps.storage.transaction((tx) => insertUser(tx, input, passwordHash, CLI_ACTOR, now));
  };
  let signIns = 0;
  const startSession = async (user: UserRow, name: string): Promise<SessionCredentials> => {
    const { token, session } = await t.deps.sessions.start(user);
    const n = ++signIns;
    book.add(token, `$${name.toUpperCase()}_SESSION_${n}`, 'session');
    book.add(session.csrfToken, `$${name.toUpperCase()}_CSRF_${n}`, 'csrf');
    return { token, csrf: session.csrfToken };
  };
  const rows: Record<SessionName, UserRow> = {
    owner: await addUser(ws, 'owner'),
    member: await addUser(ws, 'member'),
    foreign: await addUser(foreignWs, 'owner'),
  };
  const sessions = {} as Record<SessionName, SessionCredentials>;
  for (const name of SESSIONS) sessions[name] = await startSession(rows[name], name);

  /** A setup call through inject (not fuzzed): it must succeed. */
  const call = async (
    method: InjectOptions['method'],
    url: string,
    as: { bearer?: string; session?: SessionCredentials },
    payload?: unknown,
  ): Promise<{ id: string; secret?: string }> => {
    const headers: Record<string, string> = {};
    if (as.bearer) headers.authorization = `Bearer ${as.bearer}`;
    if (as.session) {
      headers.cookie = `${SESSION_COOKIE}=${as.session.token}`;
      headers['x-csrf-token'] = as.session.csrf;
    }
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const body = payload === undefined ? undefined : JSON.stringify(payload);
    const r = await t.app.inject({ method, url, headers, payload: body });
    if (r.statusCode >= 300) throw new Error(`fuzz setup: ${method} ${url} → ${r.statusCode} ${r.body}`);
    return (r.json() as { data: { id: string; secret?: string } }).data;
  };

  const key = (workspaceId: string, scope: string, rateLimit?: string) =>
    createApiKey(t.deps.credentials, { workspaceId, name: 'fuzz', scope, rateLimit });
  const owner = { session: sessions.owner };
  const revoked = await key(ws, 'read:write');
  await call('POST', `/api/keys/${revoked.credential.id}/revoke`, owner);
  const expired = await key(ws, 'read:write');
  await call('POST', `/api/keys/${expired.credential.id}/expire`, owner, {});
  const deleted = await key(ws, 'read:write');
  await call('DELETE', `/api/keys/${deleted.credential.id}`, owner);
  const integration = await call('POST', '/api/integrations', owner, { name: 'fuzz', scopes: ALL_SCOPES });
  const bearer: Record<Bearer, string> = {
    rw: (await key(ws, 'read:write')).secret,
    ro: (await key(ws, 'read')).secret,
    int: (await call('POST', `/api/integrations/${integration.id}/token`, owner)).secret!,
    free: (await key(freeWs, 'read:write')).secret,
    tiny: (await key(ws, 'read:write', '3/h')).secret,
    revoked: revoked.secret,
    expired: expired.secret,
    deleted: deleted.secret,
    operator: operatorSecret,
    admin: adminSecret,
  };
  for (const name of BEARERS) book.add(bearer[name], `$${name.toUpperCase()}`, 'issued');
  const foreignKey = (await key(foreignWs, 'read:write')).secret;
  book.add(foreignKey, '$FOREIGN_KEY', 'issued');
  addMadeUpSecrets(book, seed);

  const pool: Pool = {
    board: [],
    post: [],
    vote: [],
    key: [],
    integration: [],
    credential: [],
    user: [],
    webhook: [],
    delivery: [],
    workspace: [],
    foreign: [],
  };
  const deliveries: [string, string][] = [];
  const add = (type: keyof Pool, id: string) => {
    pool[type].push(id);
    if (pool[type].length > (type === 'foreign' ? 3 * POOL_SIZE : POOL_SIZE)) pool[type].shift();
  };
  const hook = { url: WEBHOOK_URL, events: ['*'] };
  let webhookSecrets = 0;
  const keepWebhookSecret = (secret: string | undefined) => {
    if (secret && webhookSecrets < 3) book.add(secret, `$WEBHOOK_SECRET_${webhookSecrets++}`, 'issued');
  };

  let round = 0;
  /** One more object of every type in the own workspace, and a few in the other one. */
  async function replenish(): Promise<void> {
    round++;
    const rw = { bearer: bearer.rw };
    const owner = { session: sessions.owner };
    const board = await call('POST', '/v1/boards', rw, { name: `Board ${round}` });
    add('board', board.id);
    const post = await call('POST', `/v1/boards/${board.id}/posts`, rw, { title: `Post ${round}` });
    add('post', post.id);
    add('vote', (await call('POST', `/v1/posts/${post.id}/votes`, rw, { voter: `v${round}` })).id);
    const v1Hook = await call('POST', '/v1/webhooks', { bearer: bearer.int }, hook);
    const apiHook = await call('POST', '/api/webhooks', owner, hook);
    for (const h of [v1Hook, apiHook]) {
      add('webhook', h.id);
      keepWebhookSecret(h.secret);
    }
    const delivery = await call('POST', `/api/webhooks/${apiHook.id}/test`, owner);
    add('delivery', delivery.id);
    deliveries.push([apiHook.id, delivery.id]);
    if (deliveries.length > POOL_SIZE) deliveries.shift();
    const victimKey = await call('POST', '/api/keys', owner, { name: 'victim', scope: 'read' });
    add('key', victimKey.id);
    add('credential', victimKey.id);
    const victim = await call('POST', '/api/integrations', owner, { name: 'victim', scopes: ALL_SCOPES });
    await call('POST', `/api/integrations/${victim.id}/token`, owner);
    add('integration', victim.id);
    add('credential', victim.id);
    // One without a token yet, for POST …/token to succeed on.
    add(
      'integration',
      (await call('POST', '/api/integrations', owner, { name: 'new', scopes: ['boards:read'] })).id,
    );
    add('user', (await addUser(ws, 'member')).id);
    // Workspaces of their own for the admin API to change and delete (never the fuzzed ones).
    const spare = await call(
      'POST',
      '/admin/v1/workspaces',
      { bearer: bearer.admin },
      { name: `Spare ${round}` },
    );
    add('workspace', spare.id);
    await call(
      'POST',
      `/admin/v1/workspaces/${spare.id}/keys`,
      { bearer: bearer.admin },
      { name: 'spare', scope: 'read' },
    );
    // Another workspace's objects: every route must answer as if they did not exist.
    const elsewhere = { session: sessions.foreign };
    const foreignBoard = await call(
      'POST',
      '/v1/boards',
      { bearer: foreignKey },
      { name: `Theirs ${round}` },
    );
    add('foreign', foreignBoard.id);
    const theirPost = await call(
      'POST',
      `/v1/boards/${foreignBoard.id}/posts`,
      { bearer: foreignKey },
      { title: 'x' },
    );
    add('foreign', theirPost.id);
    add(
      'foreign',
      (await call('POST', '/api/integrations', elsewhere, { name: 'x', scopes: ALL_SCOPES })).id,
    );
    add('foreign', (await call('POST', '/api/webhooks', elsewhere, hook)).id);
    add('foreign', (await call('POST', '/api/keys', elsewhere, { name: 'x', scope: 'read' })).id);
    add('foreign', (await addUser(foreignWs, 'member')).id);
  }

  // A fuzzed DELETE /api/session signed a session out: start a new one (the old one stays a known
  // secret, now a stale cookie).
  async function repairSessions(): Promise<void> {
    for (const name of SESSIONS) {
      if (!(await t.deps.sessions.resolve(sessions[name].token)))
        sessions[name] = await startSession(rows[name], name);
    }
  }

  await replenish();
  await replenish();
  return {
    t,
    database: db.url.startsWith('postgres') ? db.url.split('?')[0]! : 'sqlite',
    port,
    book,
    bearer,
    sessions,
    pool,
    deliveries,
    repairSessions,
    async maintain() {
      await repairSessions();
      await replenish();
    },
    async close() {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
