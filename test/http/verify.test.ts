/** POST /v1/keys/verify for other backends, and GET /metrics. */
import { describe, expect, it } from 'vitest';
import { expireCredential, revokeCredential } from '../../src/credentials/lifecycle.ts';
import { createOperatorToken } from '../../src/operators/tokens.ts';
import { describeDialects, expectData, expectError, useApp } from './harness.ts';

const SERVICE_TOKEN = 'svc_test_token_0123456789';

interface Verified {
  valid: boolean;
  code: string;
  workspace_id: string | null;
  credential_id: string | null;
  scopes: string[];
  ratelimit: { limit: number; remaining: number; reset: number } | null;
}

describeDialects('key verification for other backends', (create) => {
  const t = useApp(create, { config: { serviceToken: SERVICE_TOKEN } });
  const verify = (body: unknown, token: string | null = SERVICE_TOKEN) =>
    t().app.inject({
      method: 'POST',
      url: '/v1/keys/verify',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      payload: JSON.stringify(body),
    });

  it('a valid key verifies with its workspace, scopes and budget, and counts against that budget', async () => {
    const ws = await t().workspace();
    const key = await t().key(ws, 'read', { rateLimit: '10/h' });
    const first = expectData<Verified>(await verify({ key: key.secret }));
    expect(first).toMatchObject({
      valid: true,
      code: 'VALID',
      workspace_id: ws,
      credential_id: key.id,
      scopes: ['read'],
    });
    expect(first.ratelimit).toMatchObject({ limit: 10, remaining: 9 });
    const second = expectData<Verified>(await verify({ key: key.secret }));
    expect(second.ratelimit?.remaining).toBe(8);
  });

  it('outcomes are values: unknown, revoked, wrong scope and over budget are 200 with valid false', async () => {
    const ws = await t().workspace();
    expect(expectData<Verified>(await verify({ key: 'spk_not_a_real_key' }))).toMatchObject({
      valid: false,
      code: 'ERR_UNAUTHENTICATED',
      credential_id: null,
    });

    const readOnly = await t().key(ws, 'read');
    expect(expectData<Verified>(await verify({ key: readOnly.secret, scope: 'posts:write' }))).toMatchObject({
      valid: false,
      code: 'ERR_SCOPE_INSUFFICIENT',
    });
    expect(expectData<Verified>(await verify({ key: readOnly.secret, scope: 'posts:read' }))).toMatchObject({
      valid: true,
    });

    const limited = await t().key(ws, 'read', { rateLimit: '1/h' });
    expect(expectData<Verified>(await verify({ key: limited.secret })).valid).toBe(true);
    expect(expectData<Verified>(await verify({ key: limited.secret }))).toMatchObject({
      valid: false,
      code: 'ERR_RATE_LIMITED',
    });

    const revoked = await t().key(ws);
    await revokeCredential(t().deps.credentials, ws, revoked.id);
    expect(expectData<Verified>(await verify({ key: revoked.secret }))).toMatchObject({
      valid: false,
      code: 'ERR_KEY_REVOKED',
    });
  });

  it('a cached key answers the whole documented shape each time, and a later expiry shows at once', async () => {
    const ws = await t().workspace();
    const key = await t().key(ws, 'read', { rateLimit: '10/h' });
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const res = await verify({ key: key.secret });
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(9 - i));
      answers.push(res.json());
    }
    const reset = answers[0].data.ratelimit.reset;
    expect(reset).toBeGreaterThan(Date.now() / 1000);
    answers.forEach((answer, i) => {
      expect(answer).toStrictEqual({
        data: {
          valid: true,
          code: 'VALID',
          workspace_id: ws,
          credential_id: key.id,
          kind: 'api_key',
          scopes: ['read'],
          ratelimit: { limit: 10, remaining: 9 - i, reset },
          expires_at: null,
        },
      });
    });

    const later = Date.now() + 3_600_000;
    await expireCredential(t().deps.credentials, ws, key.id, later);
    const after = expectData<Verified & { expires_at: string | null }>(await verify({ key: key.secret }));
    expect(after.expires_at).toBe(new Date(later).toISOString());
    expect(after.ratelimit?.remaining).toBe(6);
  });

  it('needs the service token: missing or wrong is 401, a bad body is 422', async () => {
    expectError(await verify({ key: 'x' }, null), 401, 'ERR_UNAUTHENTICATED');
    expectError(await verify({ key: 'x' }, 'wrong-token-0123456789'), 401, 'ERR_UNAUTHENTICATED');
    expectError(await verify({}), 422, 'ERR_VALIDATION');
  });
});

describeDialects('verification disabled and metrics', (create) => {
  const t = useApp(create);

  it('without KEYWARD_SERVICE_TOKEN a minted operator token verifies; anything else is 401', async () => {
    const call = (token: string) =>
      t().app.inject({
        method: 'POST',
        url: '/v1/keys/verify',
        headers: { authorization: `Bearer ${token}` },
        payload: { key: 'x' },
      });
    expectError(await call('anything-at-all-123'), 401, 'ERR_UNAUTHENTICATED');
    const { secret } = await createOperatorToken(
      t().deps.storage,
      { name: 'backend', access: 'verify' },
      Date.now(),
    );
    const res = await call(secret);
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({ valid: false, code: 'ERR_UNAUTHENTICATED' });
  });

  it('GET /metrics is Prometheus text with request counts by route pattern, never by raw URL', async () => {
    const ws = await t().workspace();
    const key = await t().key(ws);
    await t().call(key.secret, 'GET', '/v1/ping');
    await t().call(key.secret, 'GET', '/v1/boards/brd_doesnotexist');
    const res = await t().app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('keyward_http_requests_total{method="GET",route="/v1/ping",status="200"} 1');
    expect(res.body).toContain('route="/v1/boards/:id"');
    expect(res.body).not.toContain('brd_doesnotexist');
    expect(res.body).not.toContain(key.secret);
  });

  it('GET /metrics has a latency histogram per route pattern, and unknown paths count as unmatched', async () => {
    const ws = await t().workspace();
    const key = await t().key(ws);
    for (let i = 0; i < 3; i++) await t().call(key.secret, 'GET', '/v1/ping');
    await t().app.inject({ method: 'DELETE', url: '/v1/nothing-here/brd_secretlooking' });
    const body = (await t().app.inject({ url: '/metrics' })).body;
    const value = (line: string | undefined) => Number(line?.split(' ').pop());
    const series = (name: string) =>
      body.split('\n').filter((l) => l.startsWith(`keyward_http_request_duration_seconds_${name}{`));
    const buckets = series('bucket').filter((l) => l.includes('route="/v1/ping"'));
    expect(buckets).toHaveLength(11);
    const counts = buckets.map(value);
    // Cumulative, ending at +Inf with every request the counter saw (earlier tests pinged too).
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(buckets.at(-1)).toContain('le="+Inf"');
    const pings = value(
      body
        .split('\n')
        .find((l) => l.startsWith('keyward_http_requests_total{method="GET",route="/v1/ping",status="200"}')),
    );
    expect(pings).toBeGreaterThanOrEqual(3);
    expect(counts.at(-1)).toBe(pings);
    expect(value(series('count').find((l) => l.includes('"/v1/ping"')))).toBe(pings);
    expect(value(series('sum').find((l) => l.includes('"/v1/ping"')))).toBeGreaterThan(0);
    expect(body).toContain('keyward_http_requests_total{method="DELETE",route="unmatched",status="404"} 1');
    // Fastify times nothing for the not-found handler: counted, but kept out of the histogram.
    expect(body).not.toContain('route="unmatched",le=');
    expect(body).not.toMatch(/duration_seconds_\w+\{[^}]*unmatched/);
    expect(body).not.toContain('secretlooking');
  });
});

describe('verify codes', () => {
  it('are documented error codes or VALID', async () => {
    const { VERIFY_CODES } = await import('../../src/http/routes/v1/verify.ts');
    const { ERRORS } = await import('../../src/core/errors.ts');
    for (const code of Object.values(VERIFY_CODES)) expect(code === 'VALID' || code in ERRORS).toBe(true);
  });
});
