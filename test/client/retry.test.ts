/**
 * The client's retry rules over a real socket, against a node:http server that fails as scripted
 * (a transport fault, not a stand-in for Keyward): idempotent requests are sent again after network
 * errors and 5xx, POST and PATCH never; 429 waits for Retry-After; the limits hold; a body that is
 * not the envelope still becomes a KeywardApiError. Attempts are counted on the server; the sleep
 * only records what it was asked, so nothing here waits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdminClient,
  createClient,
  KeywardApiError,
  type RetryEvent,
  type RetryOptions,
  UNEXPECTED_RESPONSE,
} from '../../src/client/index.ts';
import { retryAfterMs } from '../../src/client/rate-limit.ts';
import {
  envelope,
  json,
  recordingSleep,
  reset,
  type ScriptedServer,
  scriptedServer,
  text,
} from './support.ts';

const PING = {
  data: {
    ok: true,
    workspace_id: 'ws_1',
    credential: { id: 'key_1', kind: 'api_key', name: 'ci', scopes: ['read'] },
  },
};
const BOARD = {
  data: {
    id: 'brd_1',
    name: 'One',
    slug: 'one',
    description: '',
    post_count: 0,
    created_at: '2026-01-01T00:00:00.000Z',
  },
};
const INTERNAL = envelope('ERR_INTERNAL', 'Something went wrong on our side.');

async function rejection(pending: Promise<unknown>): Promise<unknown> {
  return pending.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('client retries over a faulty transport', () => {
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await scriptedServer();
  });
  afterAll(async () => {
    await server.close();
  });

  const client = (retry: RetryOptions | false = {}) =>
    createClient({ baseUrl: server.baseUrl, apiKey: 'spk_test', retry });

  it('GET after network errors: sent again with growing backoff until it succeeds', async () => {
    server.script(reset, reset, json(200, PING));
    const { sleep, waits } = recordingSleep();
    const events: RetryEvent[] = [];
    const ping = await client({ sleep, onRetry: (e) => events.push(e) }).ping();
    expect(ping.workspace_id).toBe('ws_1');
    expect(server.attempts.map((a) => `${a.method} ${a.url}`)).toEqual(Array(3).fill('GET /v1/ping'));
    expect(events.map((e) => [e.attempt, e.reason, e.status])).toEqual([
      [1, 'network_error', undefined],
      [2, 'network_error', undefined],
    ]);
    expect(events[0]!.error).toBeInstanceOf(Error);
    // Default backoff: d/2 … d with d = 250 ms, then 500 ms.
    expect(waits[0]).toBeGreaterThanOrEqual(125);
    expect(waits[0]).toBeLessThanOrEqual(250);
    expect(waits[1]).toBeGreaterThanOrEqual(250);
    expect(waits[1]).toBeLessThanOrEqual(500);
  });

  it('GET and DELETE after 500/502/503/504: sent again; the final answer is returned', async () => {
    server.script(
      json(500, INTERNAL),
      text(502, '<html>Bad gateway</html>'),
      json(503, envelope('ERR_UNAVAILABLE', 'down'), { 'retry-after': '2' }),
      json(200, BOARD),
    );
    const { sleep, waits } = recordingSleep();
    const board = await client({ sleep, backoff: (n) => n * 10 }).boards.get('brd_1');
    expect(board.id).toBe('brd_1');
    expect(server.attempts).toHaveLength(4);
    // The backoff function for 500 and 502, then the 503's Retry-After.
    expect(waits).toEqual([10, 20, 2000]);

    server.script(json(504, INTERNAL), json(200, { data: { id: 'brd_1', deleted: true } }));
    await client({ sleep }).boards.delete('brd_1');
    expect(server.attempts.map((a) => a.method)).toEqual(['DELETE', 'DELETE']);
  });

  it('POST is never sent twice after a 5xx or a network error (no idempotency key in the API)', async () => {
    const { sleep, waits } = recordingSleep();
    server.script(json(500, INTERNAL), json(201, BOARD));
    const err = await rejection(client({ sleep }).boards.create({ name: 'One' }));
    expect(err).toBeInstanceOf(KeywardApiError);
    expect(err).toMatchObject({ status: 500, code: 'ERR_INTERNAL' });
    expect(server.attempts).toEqual([{ method: 'POST', url: '/v1/boards', body: '{"name":"One"}' }]);

    server.script(reset, json(201, BOARD));
    const network = await rejection(client({ sleep }).boards.create({ name: 'One' }));
    expect(network).not.toBeInstanceOf(KeywardApiError);
    expect(network).toBeInstanceOf(TypeError); // fetch's network error, as thrown
    expect(server.attempts).toHaveLength(1);

    // Verification counts against the key's budget: not retried either.
    server.script(reset, json(200, {}));
    const admin = createAdminClient({ baseUrl: server.baseUrl, token: 'kwo_test', retry: { sleep } });
    await rejection(admin.verify({ key: 'spk_x' }));
    expect(server.attempts).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('PATCH is not retried on a 5xx either', async () => {
    server.script(json(503, envelope('ERR_UNAVAILABLE', 'down'), { 'retry-after': '1' }), json(200, BOARD));
    const err = await rejection(
      client({ sleep: recordingSleep().sleep }).boards.update('brd_1', { name: 'Two' }),
    );
    expect(err).toMatchObject({ status: 503, code: 'ERR_UNAVAILABLE', retryAfter: 1 });
    expect(server.attempts).toHaveLength(1);
  });

  it('429 is retried for every method, POST included, after Retry-After', async () => {
    const limited = json(429, envelope('ERR_RATE_LIMITED', 'Rate limit exceeded.', { limit: 'key' }), {
      'retry-after': '3',
      'x-ratelimit-limit': '10',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '1800000000',
    });
    server.script(limited, json(201, BOARD));
    const { sleep, waits } = recordingSleep();
    const board = await client({ sleep }).boards.create({ name: 'One' });
    expect(board.id).toBe('brd_1');
    expect(server.attempts.map((a) => [a.method, a.body])).toEqual([
      ['POST', '{"name":"One"}'],
      ['POST', '{"name":"One"}'],
    ]);
    expect(waits).toEqual([3000]);

    // An HTTP-date Retry-After works too.
    const date = new Date(Date.now() + 5_000).toUTCString();
    expect(retryAfterMs(new Headers({ 'retry-after': date }))).toBeGreaterThan(3_000);
  });

  it('maxRetries bounds the attempts; the last answer is thrown with its fields', async () => {
    server.script(
      json(429, envelope('ERR_RATE_LIMITED', 'Rate limit exceeded.', { limit: 'workspace' }), {
        'retry-after': '1',
        'x-ratelimit-limit': '10',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '1800000000',
        'x-request-id': 'req_42',
      }),
    );
    const { sleep, waits } = recordingSleep();
    const err = await rejection(client({ sleep, maxRetries: 2 }).ping());
    expect(server.attempts).toHaveLength(3);
    expect(waits).toEqual([1000, 1000]);
    expect(err).toBeInstanceOf(KeywardApiError);
    expect(err).toMatchObject({
      status: 429,
      code: 'ERR_RATE_LIMITED',
      message: 'Rate limit exceeded.',
      details: { limit: 'workspace' },
      requestId: 'req_42',
      retryAfter: 1,
      rateLimit: { limit: 10, remaining: 0, reset: 1_800_000_000 },
    });

    server.script(reset);
    await rejection(client({ sleep, maxRetries: 0 }).ping());
    expect(server.attempts).toHaveLength(1);
  });

  it('a 429 without Retry-After (nothing to wait for) is not retried', async () => {
    server.script(json(429, envelope('ERR_CREDITS_EXHAUSTED', 'No credits left.')), json(200, PING));
    const err = await rejection(client({ sleep: recordingSleep().sleep }).ping());
    expect(err).toMatchObject({ status: 429, code: 'ERR_CREDITS_EXHAUSTED' });
    expect(server.attempts).toHaveLength(1);
  });

  it('retry: false sends once, whatever the answer', async () => {
    server.script(reset, json(200, PING));
    await rejection(client(false).ping());
    expect(server.attempts).toHaveLength(1);
    server.script(json(500, INTERNAL), json(200, PING));
    expect(await rejection(client(false).ping())).toMatchObject({ status: 500, code: 'ERR_INTERNAL' });
    expect(server.attempts).toHaveLength(1);
  });

  it('a body that is not the envelope: status and ERR_UNEXPECTED_RESPONSE, the body excerpt in details', async () => {
    server.script(text(404, '<html>No such page</html>'));
    const err = await rejection(client(false).ping());
    expect(err).toBeInstanceOf(KeywardApiError);
    expect(err).toMatchObject({
      status: 404,
      code: UNEXPECTED_RESPONSE,
      details: { content_type: 'text/html', body: '<html>No such page</html>' },
    });
    expect((err as KeywardApiError).message).toContain('404');

    server.script(json(400, { message: 'not ours' }));
    expect(await rejection(client(false).ping())).toMatchObject({ status: 400, code: UNEXPECTED_RESPONSE });

    server.script((_req, res) => {
      res.writeHead(500, { 'content-length': '0' });
      res.end();
    });
    expect(await rejection(client(false).ping())).toMatchObject({ status: 500, code: UNEXPECTED_RESPONSE });
  });

  it('aborting during the wait before a retry stops the call with the signal’s reason', async () => {
    server.script(json(503, envelope('ERR_UNAVAILABLE', 'down'), { 'retry-after': '30' }), json(200, PING));
    const controller = new AbortController();
    const pending = client({
      onRetry: () => setImmediate(() => controller.abort(new Error('stopped by the caller'))),
    }).ping({ signal: controller.signal });
    const err = await rejection(pending);
    expect(err).toMatchObject({ message: 'stopped by the caller' });
    expect(server.attempts).toHaveLength(1);
  });

  it('sends the bearer token and the extra headers; a custom fetch sees every attempt', async () => {
    const seen: string[] = [];
    server.script(reset, json(200, PING));
    const custom = createClient({
      baseUrl: `${server.baseUrl}/`,
      apiKey: 'spk_secret',
      headers: { 'x-trace': 'abc' },
      retry: { sleep: recordingSleep().sleep },
      fetch: (request) => {
        seen.push(
          `${request.method} ${new URL(request.url).pathname} ${request.headers.get('authorization')} ${request.headers.get('x-trace')}`,
        );
        return fetch(request);
      },
    });
    await custom.ping();
    expect(seen).toEqual(Array(2).fill('GET /v1/ping Bearer spk_secret abc'));
  });

  it('bad options are refused at creation', () => {
    expect(() => createClient({ baseUrl: 'localhost:3000', apiKey: 'spk_x' })).toThrow(/baseUrl/);
    expect(() => createClient({ baseUrl: server.baseUrl, apiKey: '' })).toThrow(/apiKey/);
    expect(() => createAdminClient({ baseUrl: server.baseUrl, token: '' })).toThrow(/token/);
    expect(() =>
      createClient({ baseUrl: server.baseUrl, apiKey: 'spk_x', retry: { maxRetries: -1 } }),
    ).toThrow(/maxRetries/);
  });
});
