/**
 * keyward/client against a real Keyward listening on 127.0.0.1: the operator provisions a workspace
 * and a key with the admin client, the key pings and works with boards, verify answers with the
 * scope, errors arrive as KeywardApiError with the envelope's fields, and a key with a tiny budget
 * gets 429s that the client waits out (the wait advances the app's manual clock: no real sleeping).
 */
import { describe, expect, it } from 'vitest';
import {
  createAdminClient,
  createClient,
  KeywardApiError,
  paginate,
  type RetryEvent,
  rateLimitOf,
  unwrap,
} from '../../src/client/index.ts';
import { ADMIN_TOKEN, useListeningApp } from './support.ts';

const MISSING_WS = 'ws_000000000000000000000';

/** Awaits a promise that must reject with KeywardApiError and returns it. */
async function apiError(pending: Promise<unknown>): Promise<KeywardApiError> {
  const err = await pending.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KeywardApiError);
  return err as KeywardApiError;
}

describe('keyward/client against a running Keyward', () => {
  const running = useListeningApp();
  const admin = () => createAdminClient({ baseUrl: running().baseUrl, token: ADMIN_TOKEN });

  /** A workspace and a key minted through the admin client. */
  async function provision(key: { scope?: 'read' | 'read:write'; rate_limit?: string } = {}) {
    const ws = await admin().workspaces.create({ name: 'Acme', external_id: `cus_${Math.random()}` });
    const created = await admin().keys.create(ws.id, { name: 'ci', scope: key.scope ?? 'read', ...key });
    return { ws, key: created };
  }

  it('the admin client creates a workspace and a key; the key pings with createClient', async () => {
    const { ws, key } = await provision();
    expect(ws.id).toMatch(/^ws_/);
    expect(ws).toMatchObject({ name: 'Acme', plan: 'professional' });
    expect(key.secret).toMatch(/^spk_/);
    expect(await admin().workspaces.get(ws.id)).toEqual(ws);
    const found = await admin().workspaces.list({ external_id: ws.external_id ?? '' });
    expect(found).toEqual({ data: [ws], next_cursor: null });

    const client = createClient({ baseUrl: running().baseUrl, apiKey: key.secret });
    const ping = await client.ping();
    expect(ping).toEqual({
      ok: true,
      workspace_id: ws.id,
      credential: { id: key.id, kind: 'api_key', name: 'ci', scopes: ['read'] },
    });
  });

  it('boards: create, get, list, paginate and delete return the envelope data; raw calls reach every path', async () => {
    const { key } = await provision({ scope: 'read:write' });
    const client = createClient({ baseUrl: running().baseUrl, apiKey: key.secret });
    const made = [];
    for (const name of ['One', 'Two', 'Three']) made.push(await client.boards.create({ name }));
    expect(made[0]).toMatchObject({ name: 'One', slug: 'one', post_count: 0 });
    expect(await client.boards.get(made[0]!.id)).toEqual(made[0]);
    const page = await client.boards.list({ limit: 2 });
    expect(page.data).toHaveLength(2);
    expect(page.next_cursor).toEqual(expect.any(String));
    const all = [];
    for await (const board of paginate((cursor) => client.boards.list({ cursor, limit: 2 })))
      all.push(board.id);
    expect(all.sort()).toEqual(made.map((b) => b.id).sort());

    const post = await client.posts.create(made[0]!.id, { title: 'Dark mode' });
    const vote = await client.votes.create(post.id, { voter: 'ada@example.com' });
    expect(vote).toMatchObject({ post_id: post.id, voter: 'ada@example.com' });

    // The raw openapi-fetch client: {data, error, response}; unwrap gives the data or throws.
    const raw = await client.raw.GET('/v1/boards/{id}', { params: { path: { id: made[1]!.id } } });
    expect(raw.data?.data).toEqual(made[1]);
    expect(raw.response.status).toBe(200);
    expect(await unwrap(client.raw.GET('/v1/posts/{id}', { params: { path: { id: post.id } } }))).toEqual(
      await client.posts.get(post.id),
    );
    await client.boards.delete(made[2]!.id);
    const gone = await apiError(client.boards.get(made[2]!.id));
    expect(gone).toMatchObject({ status: 404, code: 'ERR_NOT_FOUND' });
  });

  it('verify with the admin client: valid with the scope, an answer (not an error) without it', async () => {
    const { ws, key } = await provision({ scope: 'read' });
    const ok = await admin().verify({ key: key.secret, scope: 'boards:read' });
    expect(ok).toMatchObject({
      valid: true,
      code: 'VALID',
      workspace_id: ws.id,
      credential_id: key.id,
      scopes: ['read'],
    });
    expect(ok.ratelimit).toMatchObject({ limit: 1000, remaining: expect.any(Number) });
    const short = await admin().verify({ key: key.secret, scope: 'boards:write' });
    expect(short).toMatchObject({ valid: false, code: 'ERR_SCOPE_INSUFFICIENT' });
    const unknown = await admin().verify({ key: 'spk_not_a_real_key' });
    expect(unknown).toMatchObject({ valid: false, code: 'ERR_UNAUTHENTICATED' });
  });

  it('a 404 is a KeywardApiError with status, code, message and no details', async () => {
    const err = await apiError(admin().workspaces.get(MISSING_WS));
    expect(err).toMatchObject({ name: 'KeywardApiError', status: 404, code: 'ERR_NOT_FOUND' });
    expect(err.message.length).toBeGreaterThan(0);
    expect(err.details).toBeUndefined();
    expect(err.requestId).toBeUndefined();
    expect(err.message).not.toContain(ADMIN_TOKEN);
  });

  it('other refusals carry their details: 403 names the scope, 401 for a wrong key, 422 lists issues', async () => {
    const { key } = await provision({ scope: 'read' });
    const client = createClient({ baseUrl: running().baseUrl, apiKey: key.secret });
    const scope = await apiError(client.boards.create({ name: 'Nope' }));
    expect(scope).toMatchObject({ status: 403, code: 'ERR_SCOPE_INSUFFICIENT' });
    expect(scope.details).toMatchObject({ required: 'boards:write' });
    expect(scope.rateLimit).toMatchObject({ limit: 1000 });

    // Another last character (a secret ending in x would otherwise stay the same, valid key).
    const typo = `${key.secret.slice(0, -1)}${key.secret.endsWith('x') ? 'y' : 'x'}`;
    const wrong = createClient({ baseUrl: running().baseUrl, apiKey: typo });
    expect(await apiError(wrong.ping())).toMatchObject({ status: 401, code: 'ERR_UNAUTHENTICATED' });

    const invalid = await apiError(admin().workspaces.create({ name: '' }));
    expect(invalid).toMatchObject({ status: 422, code: 'ERR_VALIDATION' });
    expect(invalid.details?.issues).toEqual(expect.any(Array));
  });

  it('rate-limit headers are parsed from raw responses and errors', async () => {
    const { key } = await provision({ rate_limit: '5/m' });
    const client = createClient({ baseUrl: running().baseUrl, apiKey: key.secret });
    const first = await client.raw.GET('/v1/ping');
    const limit = rateLimitOf(first.response);
    expect(limit).toEqual({ limit: 5, remaining: 4, reset: expect.any(Number) });
    expect(limit!.reset * 1000).toBeGreaterThan(running().t.clock.now());
    expect(rateLimitOf((await client.raw.GET('/v1/ping')).response)).toMatchObject({ remaining: 3 });
  });

  it('429: the client waits Retry-After (here by moving the clock) and the retry succeeds', async () => {
    const { t, baseUrl } = running();
    const { key } = await provision({ rate_limit: '2/10s' });
    const waits: number[] = [];
    const retries: RetryEvent[] = [];
    const client = createClient({
      baseUrl,
      apiKey: key.secret,
      retry: {
        sleep: async (ms) => {
          waits.push(ms);
          t.clock.advance(ms);
        },
        onRetry: (event) => retries.push(event),
      },
    });
    await client.ping();
    await client.ping();
    const third = await client.ping();
    expect(third.credential.id).toBe(key.id);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 1, reason: 'rate_limited', status: 429 });
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(0);
    expect(waits[0]).toBeLessThanOrEqual(10_000);
    expect(waits[0]! % 1000).toBe(0); // whole seconds of Retry-After
  });

  it('retry: false throws ERR_RATE_LIMITED at once with the limit, Retry-After and the headers', async () => {
    const { key } = await provision({ rate_limit: '1/10s' });
    const client = createClient({ baseUrl: running().baseUrl, apiKey: key.secret, retry: false });
    await client.ping();
    const err = await apiError(client.ping());
    expect(err).toMatchObject({ status: 429, code: 'ERR_RATE_LIMITED' });
    expect(err.details).toMatchObject({ limit: 'key' });
    expect(err.retryAfter).toBeGreaterThan(0);
    expect(err.retryAfter).toBeLessThanOrEqual(10);
    expect(err.rateLimit).toEqual({ limit: 1, remaining: 0, reset: expect.any(Number) });
  });

  it('a Retry-After longer than maxWaitMs is thrown without waiting', async () => {
    const { key } = await provision({ rate_limit: '1/h' });
    const waits: number[] = [];
    const client = createClient({
      baseUrl: running().baseUrl,
      apiKey: key.secret,
      retry: { maxWaitMs: 5_000, sleep: async (ms) => void waits.push(ms) },
    });
    await client.ping();
    const err = await apiError(client.ping());
    expect(err).toMatchObject({ status: 429, code: 'ERR_RATE_LIMITED' });
    expect(err.retryAfter).toBeGreaterThan(5);
    expect(waits).toEqual([]);
  });
});
