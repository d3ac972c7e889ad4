/**
 * The workspace-isolation matrix, generated from the live OpenAPI document: every operation that names
 * an object by id, called by every credential that can reach it, with ids that are not the caller's to
 * use (another workspace's, deleted, malformed, of the wrong type). Each answer is 404 ERR_NOT_FOUND,
 * the same for every such id, unless the caller is refused before any lookup for reasons of its own;
 * then it is exactly the refusal a valid own id gets. The caller's own valid id succeeds, and the
 * other workspace's objects are untouched afterwards.
 */
import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../src/audit/record.ts';
import { createIntegration, issueIntegrationToken } from '../../src/credentials/integrations.ts';
import type { Storage } from '../../src/storage/index.ts';
import { startTestApp } from '../support/app.ts';
import { MANAGEMENT_ENDPOINTS, targetMaker } from '../support/management.ts';
import { type Session, userWithRole } from '../support/session.ts';
import { createSqliteDatabase } from '../support/storages.ts';
import { describeDialects, expectData, send, useApp } from './harness.ts';
import {
  ACCEPTS,
  bodyFor,
  type Caller,
  callersOf,
  ID_PREFIX,
  type IdOperation,
  idOperations,
  type ObjectType,
  type OpenApiDocument,
  refusalOf,
} from './isolation-cases.ts';

/** The document the matrix is generated from (each dialect's app is checked to serve the same one). */
async function liveOpenApi(): Promise<OpenApiDocument> {
  const db = await createSqliteDatabase();
  const t = await startTestApp({ db });
  try {
    return (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenApiDocument;
  } finally {
    await t.close();
    await db.drop();
  }
}

const DOCUMENT = await liveOpenApi();
const { operations: OPERATIONS, problems: PROBLEMS } = idOperations(DOCUMENT);
const CASES = OPERATIONS.flatMap((op) =>
  callersOf(op).map((caller) => ({ name: `${op.method} ${op.path} as ${caller.label}`, op, caller })),
);

const TYPES: readonly ObjectType[] = [
  'board',
  'post',
  'vote',
  'webhook',
  'key',
  'integration',
  'user',
  'delivery',
];
type Ids = Record<ObjectType, string>;

interface World {
  own: { ws: string; ids: Ids; deleted: Partial<Ids>; deliveryOfAnotherWebhook: string };
  victim: { ws: string; ids: Ids; secret: string; owner: Session };
  secrets: { rw: string; read: string; token: string };
  sessions: Record<'owner' | 'admin' | 'member', Session>;
  make: Awaited<ReturnType<typeof targetMaker>>;
}

/** One id to try in a path parameter: the URL segment, the id the server decodes, and a URL refusal. */
interface IdCase {
  label: string;
  segment: string;
  decoded: string;
  /** The documented answer to a URL that is refused before routing, the same for every caller. */
  refusedUrl?: { status: number; code: string };
}

const plain = (label: string, id: string): IdCase => ({ label, segment: id, decoded: id });

/** Ids the server cannot resolve to an object however it parses them. */
function malformed(type: ObjectType, foreign: string): IdCase[] {
  const prefix = ID_PREFIX[type];
  const raw = (label: string, segment: string, refusedUrl?: IdCase['refusedUrl']): IdCase => ({
    label,
    segment,
    decoded: refusedUrl ? segment : decodeURIComponent(segment),
    ...(refusedUrl ? { refusedUrl } : {}),
  });
  const tooLong = { status: 414, code: 'ERR_URI_TOO_LONG' };
  return [
    raw('garbage', 'not-an-id'),
    raw('exactly 200 characters', `${prefix}_${'x'.repeat(200 - prefix.length - 1)}`),
    raw('201 characters (414 before routing)', `${prefix}_${'x'.repeat(201 - prefix.length - 1)}`, tooLong),
    raw('2000 characters (414 before routing)', 'x'.repeat(2000), tooLong),
    raw('unicode', encodeURIComponent(`${prefix}_ünïcødé-💥-日本`)),
    raw('..%2F traversal to the foreign id', `..%2F..%2F${encodeURIComponent(foreign)}`),
    raw('NUL byte after the foreign id', `${foreign}%00`),
    raw('trailing space after the foreign id', `${foreign}%20`),
    raw('SQL quote', "'%20OR%20'1'%3D'1"),
    raw('LIKE wildcard', '%25'),
    raw('prefix and LIKE wildcard', `${prefix}_%25`),
    raw('the type prefix alone', `${prefix}_`),
    raw('bad percent-encoding (400 before routing)', '%E0%A4%A', { status: 400, code: 'ERR_BAD_REQUEST' }),
  ];
}

/** Every id the matrix tries in a parameter of `type`. */
function idCases(type: ObjectType, w: World): IdCase[] {
  const foreignTypes = type === 'credential' ? (['key', 'integration'] as const) : [type];
  const cases = foreignTypes.map((f) => plain(`another workspace's ${f}`, w.victim.ids[f]));
  cases.push(plain(`a ${type} id that never existed`, `${ID_PREFIX[type]}_${'0'.repeat(21)}`));
  const deleted = w.own.deleted[type];
  if (deleted) cases.push(plain(`a deleted ${type} of the own workspace`, deleted));
  if (type === 'delivery') {
    cases.push(plain('a delivery of another webhook of the own workspace', w.own.deliveryOfAnotherWebhook));
  }
  for (const other of TYPES) {
    if (!ACCEPTS[type].includes(other))
      cases.push(plain(`an own ${other} id (wrong type)`, w.own.ids[other]));
  }
  return [...cases, ...malformed(type, w.victim.ids[type])];
}

/** A message with the id it was given blanked out (the server redacts ids that look like secrets). */
// A NUL in an id comes back as U+FFFD (PostgreSQL cannot hold a NUL; src/contract/envelopes.ts).
const blankId = (message: string, id: string) =>
  message
    .split(id)
    .join('<id>')
    .split(id.replaceAll('\0', '\uFFFD'))
    .join('<id>')
    .replace('[redacted]', '<id>');

const MISSING_LABEL = (type: ObjectType) => `a ${type} id that never existed`;

/** What an error answer says, or why it is not the envelope. */
function answerOf(res: LightMyRequestResponse) {
  const summary = `${res.statusCode} ${res.body.slice(0, 240)}`;
  let body: unknown;
  try {
    body = res.json();
  } catch {
    return { summary, envelope: false as const };
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } }).error;
  const envelope =
    /^application\/json/.test(String(res.headers['content-type'])) &&
    Object.keys(body as object).join() === 'error' &&
    typeof error?.code === 'string' &&
    typeof error.message === 'string' &&
    error.message.length > 0 &&
    Object.keys(error).every((k) => ['code', 'message', 'details'].includes(k));
  if (!envelope || !error) return { summary, envelope: false as const };
  return {
    summary,
    envelope: true as const,
    status: res.statusCode,
    code: error.code as string,
    message: error.message as string,
    details: error.details,
  };
}

const sameAnswer = (a: ReturnType<typeof answerOf>, b: ReturnType<typeof answerOf>) =>
  a.envelope &&
  b.envelope &&
  a.status === b.status &&
  a.code === b.code &&
  a.message === b.message &&
  JSON.stringify(a.details) === JSON.stringify(b.details);

type WorkspaceTable =
  | 'boards'
  | 'posts'
  | 'votes'
  | 'credentials'
  | 'webhook_endpoints'
  | 'webhook_deliveries';

/** Rows a workspace holds (or only those with the given ids), without what using a credential updates. */
async function rowsOf(storage: Storage, ws: string, only?: ReadonlySet<string>) {
  const rows = async (table: WorkspaceTable) => {
    const all = await storage.db
      .selectFrom(table)
      .selectAll()
      .where('workspace_id', '=', ws)
      .orderBy('id')
      .execute();
    return only ? all.filter((r) => only.has(r.id)) : all;
  };
  // People belong to workspaces through memberships (a person's row is shared by their workspaces).
  const members = async () => {
    const all = await storage.db
      .selectFrom('memberships')
      .selectAll()
      .where('workspace_id', '=', ws)
      .orderBy('user_id')
      .execute();
    return only ? all.filter((m) => only.has(m.user_id)) : all;
  };
  const ids = async (table: 'audit_log' | 'events') =>
    only
      ? []
      : storage.db.selectFrom(table).select('id').where('workspace_id', '=', ws).orderBy('id').execute();
  const credentials = (await rows('credentials')) as {
    id: string;
    last_used_at: unknown;
    last_used_ip: unknown;
  }[];
  const credentialIds = credentials.map((c) => c.id);
  return {
    boards: await rows('boards'),
    posts: await rows('posts'),
    votes: await rows('votes'),
    users: await members(),
    credentials: credentials.map(({ last_used_at: _, last_used_ip: __, ...row }) => row),
    secrets:
      credentialIds.length === 0
        ? []
        : await storage.db
            .selectFrom('credential_secrets')
            .select(['hash', 'credential_id', 'expires_at'])
            .where('credential_id', 'in', credentialIds)
            .orderBy('hash')
            .execute(),
    webhooks: await rows('webhook_endpoints'),
    deliveries: await rows('webhook_deliveries'),
    audit: await ids('audit_log'),
    events: await ids('events'),
  };
}

const counts = (rows: Record<string, unknown[]>) =>
  Object.fromEntries(Object.entries(rows).map(([table, list]) => [table, list.length]));

describeDialects('isolation matrix (generated from /openapi.json)', (create) => {
  const t = useApp(create);
  let w: World;
  let victimBefore: Awaited<ReturnType<typeof rowsOf>>;
  let ownBefore: Awaited<ReturnType<typeof rowsOf>>;
  let tracked: Set<string>;
  let serial = 0;

  const created = async (secret: string, url: string, body: unknown) =>
    expectData<{ id: string }>(await send(t(), { method: 'POST', url, secret, body }), 201).id;
  const board = (secret: string) => created(secret, '/v1/boards', { name: `Roadmap ${++serial}` });
  const post = (secret: string, boardId: string) =>
    created(secret, `/v1/boards/${boardId}/posts`, { title: 'Dark mode' });
  const vote = (secret: string, postId: string) =>
    created(secret, `/v1/posts/${postId}/votes`, { voter: `voter-${++serial}` });

  /** One object of every type in a workspace, made through the API and the domain as a user would. */
  async function objectsOf(ws: string, secret: string): Promise<Ids> {
    const b = await board(secret);
    const p = await post(secret, b);
    const v = await vote(secret, p);
    const [webhook = '', delivery = ''] = (await w.make('webhook delivery', ws)).split('/');
    const key = await w.make('key', ws);
    const integration = await w.make('tokened integration', ws);
    const user = await w.make('user', ws);
    return { board: b, post: p, vote: v, webhook, delivery, key, integration, user, credential: key };
  }

  beforeAll(async () => {
    const app = t();
    const ownWs = await app.workspace('enterprise', 'Mallory Inc');
    const victimWs = await app.workspace('enterprise', 'Victim Ltd');
    const key = async (ws: string, scope: string) =>
      (await app.key(ws, scope, { rateLimit: '1000000/h' })).secret;
    const make = await targetMaker(app);
    const tokenOf = async (ws: string) => {
      const scopes = ['boards', 'posts', 'votes', 'webhooks'].flatMap((r) => [`${r}:read`, `${r}:write`]);
      const ctx = app.deps.credentials;
      const row = await createIntegration(ctx, { workspaceId: ws, name: 'every scope', scopes }, CLI_ACTOR);
      return (await issueIntegrationToken(ctx, ws, row.id, CLI_ACTOR)).secret;
    };
    const sessions = {
      owner: await userWithRole(app, ownWs, 'owner'),
      admin: await userWithRole(app, ownWs, 'admin'),
      member: await userWithRole(app, ownWs, 'member'),
    };
    const rw = await key(ownWs, 'read:write');
    w = {
      own: { ws: ownWs, ids: {} as Ids, deleted: {}, deliveryOfAnotherWebhook: '' },
      victim: {
        ws: victimWs,
        ids: {} as Ids,
        secret: await key(victimWs, 'read:write'),
        owner: await userWithRole(app, victimWs, 'owner'),
      },
      secrets: { rw, read: await key(ownWs, 'read'), token: await tokenOf(ownWs) },
      sessions,
      make,
    };
    w.victim.ids = await objectsOf(victimWs, w.victim.secret);
    w.own.ids = await objectsOf(ownWs, rw);
    w.own.deliveryOfAnotherWebhook = (await make('webhook delivery', ownWs)).split('/')[1]!;

    // Deleted objects of the own workspace, each deleted through its own API.
    const gone = async (res: Promise<LightMyRequestResponse>, id: string) => {
      expectData(await res);
      return id;
    };
    const del = (url: string, id: string) => gone(send(app, { method: 'DELETE', url, secret: rw }), id);
    const delApi = (url: string, id: string) => gone(sessions.owner.call('DELETE', url), id);
    const b = await board(rw);
    const p = await post(rw, w.own.ids.board);
    const v = await vote(rw, w.own.ids.post);
    const k = await make('key', ownWs);
    const i = await make('integration', ownWs);
    const u = await make('user', ownWs);
    const h = await make('webhook', ownWs);
    w.own.deleted = {
      board: await del(`/v1/boards/${b}`, b),
      post: await del(`/v1/posts/${p}`, p),
      vote: await del(`/v1/votes/${v}`, v),
      key: await delApi(`/api/keys/${k}`, k),
      credential: k,
      integration: await delApi(`/api/integrations/${i}`, i),
      user: await delApi(`/api/users/${u}`, u),
      webhook: await delApi(`/api/webhooks/${h}`, h),
    };

    tracked = new Set([...Object.values(w.own.ids), ...Object.values(w.own.deleted)]);
    victimBefore = await rowsOf(app.deps.storage, victimWs);
    ownBefore = await rowsOf(app.deps.storage, ownWs, tracked);
  });

  function secretOf(caller: Caller): string {
    if (caller.kind === 'integration_token') return w.secrets.token;
    if (caller.kind === 'api_key') return caller.scope === 'read' ? w.secrets.read : w.secrets.rw;
    throw new Error('a session has no secret');
  }

  function call(caller: Caller, op: IdOperation, segments: Record<string, string>) {
    const url = op.path.replace(/\{(\w+)\}/g, (_, name: string) => segments[name] ?? '');
    const body = bodyFor(op, DOCUMENT);
    if (caller.kind === 'session') return w.sessions[caller.role].call(op.method, url, body);
    return send(t(), { method: op.method, url, secret: secretOf(caller), body });
  }

  /** Own ids for a valid call: fresh objects when the call may change them, the standing ones otherwise. */
  async function ownIds(op: IdOperation, fresh: boolean): Promise<Record<string, string>> {
    if (!fresh) return Object.fromEntries(op.params.map((p) => [p.name, w.own.ids[p.type]]));
    if (op.target) {
      const ids = (await w.make(op.target, w.own.ws)).split('/');
      return Object.fromEntries(op.params.map((p, i) => [p.name, ids[i] ?? '']));
    }
    const one = async (type: ObjectType) => {
      if (type === 'board') return board(w.secrets.rw);
      if (type === 'post') return post(w.secrets.rw, w.own.ids.board);
      if (type === 'vote') return vote(w.secrets.rw, w.own.ids.post);
      if (type === 'webhook') return w.make('webhook', w.own.ws);
      throw new Error(`no way to make a fresh ${type} for ${op.method} ${op.path}`);
    };
    const entries = [];
    for (const p of op.params) entries.push([p.name, await one(p.type)] as const);
    return Object.fromEntries(entries);
  }

  it("generates the matrix from this app's own document, and places every id operation in it", async () => {
    const served = (await t().app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(served).toEqual(DOCUMENT);
    expect(PROBLEMS).toEqual([]);
    // Every management route with an id that the role matrix knows is documented, hence in this matrix.
    const documented = new Set(
      OPERATIONS.map((op) => `${op.method} ${op.path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    const missing = MANAGEMENT_ENDPOINTS.filter((e) => e.path.includes(':'))
      .map((e) => `${e.method} ${e.path}`)
      .filter((e) => !documented.has(e));
    expect(missing).toEqual([]);
    expect(OPERATIONS.some((op) => op.integrationOnly)).toBe(true);
    expect(OPERATIONS.filter((op) => op.path.startsWith('/api/')).length).toBeGreaterThan(10);
  });

  it.each(CASES)('$name', async ({ op, caller }) => {
    const failures: string[] = [];
    const refusal = refusalOf(caller, op);

    // Positive control: the own valid id succeeds, or gets the refusal the caller gets for any id.
    const control = await call(caller, op, await ownIds(op, !refusal));
    const controlAnswer = answerOf(control);
    if (refusal) {
      if (
        !controlAnswer.envelope ||
        controlAnswer.status !== refusal.status ||
        controlAnswer.code !== refusal.code
      ) {
        failures.push(
          `own valid id: expected ${refusal.status} ${refusal.code}, got ${controlAnswer.summary}`,
        );
      }
    } else if (control.statusCode !== op.success || !('data' in (control.json() as object))) {
      failures.push(`own valid id: expected ${op.success} with data, got ${controlAnswer.summary}`);
    }

    for (const [index, param] of op.params.entries()) {
      const cases = idCases(param.type, w);
      // The not-found answer may name the id it was given; nothing else may tell the ids apart.
      const notFound = new Map<string, string>();
      for (const c of cases) {
        const segments = Object.fromEntries(
          op.params.map((p, i) => [p.name, i === index ? c.segment : w.own.ids[p.type]]),
        );
        const a = answerOf(await call(caller, op, segments));
        const where = `{${param.name}} = ${c.label}`;
        if (c.refusedUrl) {
          if (!a.envelope || a.status !== c.refusedUrl.status || a.code !== c.refusedUrl.code) {
            failures.push(`${where}: expected ${c.refusedUrl.status} ${c.refusedUrl.code}, got ${a.summary}`);
          }
        } else if (refusal) {
          if (!sameAnswer(a, controlAnswer)) {
            failures.push(`${where}: expected the own-id refusal ${controlAnswer.summary}, got ${a.summary}`);
          }
        } else if (!a.envelope || a.status !== 404 || a.code !== 'ERR_NOT_FOUND') {
          failures.push(`${where}: expected 404 ERR_NOT_FOUND, got ${a.summary}`);
        } else {
          notFound.set(c.label, JSON.stringify([blankId(a.message, c.decoded), a.details]));
        }
      }
      const reference = notFound.get(MISSING_LABEL(param.type));
      for (const [label, answer] of notFound) {
        if (reference !== undefined && answer !== reference) {
          failures.push(
            `{${param.name}} = ${label}: 404 differs from a missing id's: ${answer} vs ${reference}`,
          );
        }
      }
    }
    if (op.params.length > 1) {
      // Every id another workspace's, consistently: still nothing.
      const segments = Object.fromEntries(op.params.map((p) => [p.name, w.victim.ids[p.type]]));
      const a = answerOf(await call(caller, op, segments));
      const expected = refusal ? controlAnswer : undefined;
      const ok = expected
        ? sameAnswer(a, expected)
        : a.envelope && a.status === 404 && a.code === 'ERR_NOT_FOUND';
      if (!ok) failures.push(`every id another workspace's: got ${a.summary}`);
    }

    expect(failures).toEqual([]);
    const storage = t().deps.storage;
    const victimAfter = await rowsOf(storage, w.victim.ws);
    expect(counts(victimAfter)).toEqual(counts(victimBefore));
    expect(victimAfter).toEqual(victimBefore);
    expect(await rowsOf(storage, w.own.ws, tracked)).toEqual(ownBefore);
  });

  it('leaves the other workspace intact: its owner still reads every object it had', async () => {
    const victimAfter = await rowsOf(t().deps.storage, w.victim.ws);
    expect(counts(victimAfter)).toEqual(counts(victimBefore));
    expect(victimAfter).toEqual(victimBefore);
    const { ids, secret, owner } = w.victim;
    const read = async (url: string) => expectData(await send(t(), { method: 'GET', url, secret }));
    expect(await read(`/v1/boards/${ids.board}`)).toMatchObject({ id: ids.board, post_count: 1 });
    expect(await read(`/v1/posts/${ids.post}`)).toMatchObject({ title: 'Dark mode', vote_count: 1 });
    expect(await read(`/v1/posts/${ids.post}/votes`)).toMatchObject([{ id: ids.vote }]);
    const manage = async (url: string) => expectData(await owner.call('GET', url));
    expect(await manage(`/api/keys/${ids.key}`)).toMatchObject({ id: ids.key, status: 'active' });
    expect(await manage(`/api/integrations/${ids.integration}`)).toMatchObject({ id: ids.integration });
    expect(await manage(`/api/webhooks/${ids.webhook}`)).toMatchObject({ id: ids.webhook });
    expect(await manage(`/api/webhooks/${ids.webhook}/deliveries`)).toContainEqual(
      expect.objectContaining({ id: ids.delivery }),
    );
    expect(await manage('/api/users')).toContainEqual(expect.objectContaining({ id: ids.user }));
  });
});
