/**
 * The dashboard inside an operator's page (DESIGN "Portal sessions"): every answer carries
 * `frame-ancestors 'self' <KEYWARD_FRAME_ANCESTORS>`; with origins set the session cookie is
 * `SameSite=None; Secure; Partitioned`, otherwise Lax; KEYWARD_PRODUCT_NAME brands index.html.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { serve } from '../../src/server/serve.ts';
import { runCliWithin } from '../support/cli.ts';
import { PASSWORD, sessionFrom } from '../support/session.ts';
import { describeDialects, expectData, expectError, useApp } from './harness.ts';

const OPERATOR = 'https://app.example.com';
const DEV_OPERATOR = 'http://localhost:5173';
const HOST = 'keys.example.com';
const OWN = `http://${HOST}`;

/** Answers of every kind: a page, an API error, a public-API error, health, the docs, not found, a bad URL. */
const ANSWERS = [
  { url: '/', accept: 'text/html' },
  { url: '/settings/api-keys', accept: 'text/html' },
  { url: '/api/session', accept: 'application/json' },
  { url: '/v1/ping', accept: 'application/json' },
  { url: '/healthz', accept: 'application/json' },
  { url: '/docs', accept: 'text/html' },
  { url: '/nothing-here.js', accept: '*/*' },
  { url: '/api/keys/%zz', accept: 'application/json' },
];

function setCookieOf(r: LightMyRequestResponse): string {
  const header = r.headers['set-cookie'];
  return String(Array.isArray(header) ? header[0] : header);
}

const attributes = (cookie: string) =>
  cookie
    .split(';')
    .slice(1)
    .map((a) => a.trim().toLowerCase());

describeDialects('embedding, KEYWARD_FRAME_ANCESTORS unset', (create) => {
  const t = useApp(create);

  it.each(ANSWERS)(
    "$url says frame-ancestors 'self' only, and no X-Frame-Options",
    async ({ url, accept }) => {
      const r = await t().app.inject({ method: 'GET', url, headers: { accept } });
      expect(r.headers['content-security-policy']).toBe("frame-ancestors 'self'");
      expect(r.headers['x-frame-options']).toBeUndefined();
    },
  );

  it('the session cookie is HttpOnly and SameSite=Lax, not Secure over http, not Partitioned', async () => {
    const r = await t().app.inject({
      method: 'POST',
      url: '/api/setup',
      payload: { workspace_name: 'Acme', email: 'lax@acme.test', password: PASSWORD },
    });
    expect(r.statusCode).toBe(201);
    const attrs = attributes(setCookieOf(r));
    expect(attrs).toEqual(expect.arrayContaining(['path=/', 'httponly', 'samesite=lax']));
    expect(attrs).not.toContain('secure');
    expect(attrs).not.toContain('partitioned');

    const out = await sessionFrom(t(), r).call('DELETE', '/api/session');
    expectData(out);
    const cleared = attributes(setCookieOf(out));
    expect(cleared).toEqual(
      expect.arrayContaining(['samesite=lax', 'expires=thu, 01 jan 1970 00:00:00 gmt']),
    );
    expect(cleared).not.toContain('partitioned');
  });

  it('index.html is titled Keyward and names it for the dashboard', async () => {
    const r = await t().app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    expect(r.body).toContain('<title>Keyward</title>');
    expect(r.body).toContain('<meta name="keyward-product-name" content="Keyward" />');
  });
});

describeDialects('embedding, KEYWARD_FRAME_ANCESTORS set', (create) => {
  const t = useApp(create, {
    config: {
      frameAncestors: `${OPERATOR} ${DEV_OPERATOR}/`,
      productName: 'Acme <Cloud> & Co',
    },
  });

  it.each(ANSWERS)("$url says frame-ancestors 'self' and the operator's origins", async ({ url, accept }) => {
    const r = await t().app.inject({ method: 'GET', url, headers: { accept } });
    expect(r.headers['content-security-policy']).toBe(`frame-ancestors 'self' ${OPERATOR} ${DEV_OPERATOR}`);
    expect(r.headers['x-frame-options']).toBeUndefined();
  });

  it('the session cookie is SameSite=None; Secure; Partitioned (also over plain http) and cleared the same way', async () => {
    const r = await t().app.inject({
      method: 'POST',
      url: '/api/setup',
      headers: { host: HOST, origin: OWN },
      payload: { workspace_name: 'Acme', email: 'framed@acme.test', password: PASSWORD },
    });
    expect(r.statusCode).toBe(201);
    expect(attributes(setCookieOf(r))).toEqual(
      expect.arrayContaining(['path=/', 'httponly', 'samesite=none', 'secure', 'partitioned']),
    );

    const signIn = await t().app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: 'framed@acme.test', password: PASSWORD },
    });
    expectData(signIn);
    expect(attributes(setCookieOf(signIn))).toEqual(
      expect.arrayContaining(['samesite=none', 'secure', 'partitioned']),
    );

    const out = await sessionFrom(t(), signIn).call('DELETE', '/api/session');
    expectData(out);
    expect(attributes(setCookieOf(out))).toEqual(
      expect.arrayContaining([
        'path=/',
        'samesite=none',
        'secure',
        'partitioned',
        'expires=thu, 01 jan 1970 00:00:00 gmt',
      ]),
    );
  });

  it("calls from inside the frame name Keyward's own origin; the operator's origin cannot sign in", async () => {
    const signIn = (origin: string) =>
      t().app.inject({
        method: 'POST',
        url: '/api/session',
        headers: { host: HOST, origin },
        payload: { email: 'framed@acme.test', password: PASSWORD },
      });
    expectError(await signIn(OPERATOR), 403, 'ERR_FORBIDDEN');
    expectError(await signIn(DEV_OPERATOR), 403, 'ERR_FORBIDDEN');
    const own = await signIn(OWN);
    expectData(own);

    const session = sessionFrom(t(), own);
    const create = (origin: string) =>
      t().app.inject({
        method: 'POST',
        url: '/api/keys',
        headers: {
          host: HOST,
          origin,
          cookie: session.cookie,
          'x-csrf-token': session.csrf,
          'content-type': 'application/json',
        },
        payload: JSON.stringify({ name: 'from the frame', scope: 'read' }),
      });
    expectError(await create(OPERATOR), 403, 'ERR_FORBIDDEN');
    expectData(await create(OWN), 201);
  });

  it('index.html carries the product name, escaped, revalidated with an ETag', async () => {
    const r = await t().app.inject({
      method: 'GET',
      url: '/settings/api-keys',
      headers: { accept: 'text/html' },
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.body).toContain('<title>Acme &lt;Cloud&gt; &amp; Co</title>');
    expect(r.body).toContain('<meta name="keyward-product-name" content="Acme &lt;Cloud&gt; &amp; Co" />');
    expect(r.body).not.toContain('<title>Keyward</title>');

    const etag = String(r.headers.etag);
    const again = await t().app.inject({
      method: 'GET',
      url: '/',
      headers: { accept: 'text/html', 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers['content-security-policy']).toBe(
      `frame-ancestors 'self' ${OPERATOR} ${DEV_OPERATOR}`,
    );
  });
});

describe('keyward serve and the embedding settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-embedding-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a bad KEYWARD_FRAME_ANCESTORS stops serve with a message naming it', async () => {
    const r = await runCliWithin(
      ['serve', '--port', '0'],
      {
        KEYWARD_DATABASE_URL: `sqlite:${join(dir, 'bad.db')}`,
        HOST: '127.0.0.1',
        KEYWARD_FRAME_ANCESTORS: 'https://app.example.com app.example.com',
      },
      10_000,
    );
    expect([r.timedOut, r.code]).toEqual([false, 1]);
    expect(r.stderr).toMatch(/KEYWARD_FRAME_ANCESTORS: .*got app\.example\.com/);
  });

  it('with PORT=0 the default public URL names the port picked', async () => {
    const config = loadConfig(
      {},
      { port: 0, databaseUrl: `sqlite:${join(dir, 'port0.db')}`, logLevel: 'silent' },
    );
    const server = await serve(config);
    try {
      expect(config.publicUrl).toBe(server.url);
      expect(config.publicUrl).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    } finally {
      await server.close();
    }
  });
});
