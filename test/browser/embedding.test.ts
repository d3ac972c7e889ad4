/**
 * Keyward inside an operator's product, in real Chromium over plain http on loopback: the operator's
 * page is http://localhost:<port> and Keyward http://127.0.0.1:<port>, two different sites, so the
 * dashboard is a third-party iframe. The operator's backend provisions workspaces and, on every load
 * of its settings page, asks the admin API for a portal link and puts it in the iframe — the person
 * never sees a Keyward sign-in. With the page's origin in KEYWARD_FRAME_ANCESTORS the frame loads and
 * keeps its session (Chromium keeps `SameSite=None; Secure; Partitioned` cookies over http on
 * localhost and 127.0.0.0/8, both secure contexts); a page not listed is refused.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectVisible, type Keyward, launchChromium, ping, screenshots, startKeyward } from './harness.ts';
import { openWatchedPage, secretInDialog, type WatchedPage } from './steps.ts';
import { chromiumForSuite } from './suite.ts';

const PRODUCT = 'Acme Cloud';
const ADMIN_TOKEN = 'browser-suite-admin-token-0123456789';
const PERSON = 'dana@customer.test';
const FLOW_TIMEOUT = 60_000;

/** What the operator's backend does with the admin API. */
async function adminApi<T>(keyward: Keyward, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${keyward.url}/admin/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/**
 * The operator's own settings page: a header of its own and Keyward in an iframe whose src is a fresh
 * portal link for the signed-in customer, minted server-side on every load (`/settings?workspace=<id>`);
 * "Back to <product>" leads to its `/account` page.
 */
async function operatorPage(portalLink: (workspaceId: string, returnUrl: string) => Promise<string>) {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', origin);
    const workspaceId = url.searchParams.get('workspace') ?? '';
    const page =
      url.pathname === '/settings'
        ? portalLink(workspaceId, `${origin}/account`).then(
            (src) => `<!doctype html><title>Acme · Settings</title>
<h1>Acme settings</h1>
<iframe title="API keys" src="${src}" style="width:1200px;height:700px;border:0"></iframe>`,
          )
        : Promise.resolve('<!doctype html><title>Acme · Account</title><h1>Acme account</h1>');
    page.then(
      (html) => {
        response.setHeader('content-type', 'text/html; charset=utf-8');
        response.end(html);
      },
      (error: Error) => {
        response.statusCode = 500;
        response.end(error.message);
      },
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  return { origin, server };
}

const available = chromiumForSuite('embedding');

describe.runIf(available)('Keyward in an operator iframe through portal links, in Chromium', () => {
  let keyward: Keyward;
  let browser: Browser;
  let allowed: { origin: string; server: Server };
  let other: { origin: string; server: Server };
  let watched: WatchedPage;
  let page: Page;
  let frame: FrameLocator;
  let acme: string;
  let labs: string;

  beforeAll(async () => {
    const portalLink = async (workspaceId: string, returnUrl: string) => {
      const made = await adminApi<{ data: { url: string } }>(
        keyward,
        'POST',
        `/workspaces/${workspaceId}/portal-sessions`,
        { email: PERSON, name: 'Dana', return_url: returnUrl },
      );
      return made.data.url;
    };
    [allowed, other] = await Promise.all([operatorPage(portalLink), operatorPage(portalLink)]);
    [keyward, browser] = await Promise.all([
      startKeyward({
        KEYWARD_ADMIN_TOKEN: ADMIN_TOKEN,
        KEYWARD_FRAME_ANCESTORS: allowed.origin,
        KEYWARD_PRODUCT_NAME: PRODUCT,
      }),
      launchChromium(),
    ]);
    // Sign-up in the operator's product provisions a workspace per customer account.
    const provision = async (name: string, externalId: string) =>
      (
        await adminApi<{ data: { id: string } }>(keyward, 'POST', '/workspaces', {
          name,
          external_id: externalId,
        })
      ).data.id;
    acme = await provision('Customer Co', 'cus_customer');
    labs = await provision('Customer Labs', 'cus_labs');
    watched = await openWatchedPage(browser);
    page = watched.page;
    frame = page.frameLocator('iframe[title="API keys"]');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await keyward?.stop();
    allowed?.server.close();
    other?.server.close();
  });

  it('a portal link in an allowed page signs the person in inside the frame: no Keyward sign-in, named after the product', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    expect(new URL(allowed.origin).hostname).toBe('localhost');
    expect(new URL(keyward.url).hostname).toBe('127.0.0.1');
    await page.goto(`${allowed.origin}/settings?workspace=${acme}`);
    await expectVisible(frame.getByRole('heading', { level: 1, name: 'API keys' }));
    await expectVisible(frame.getByRole('link', { name: PRODUCT, exact: true }));
    await expectVisible(frame.getByText(PERSON));
    await expectVisible(frame.getByText('Customer Co'));
    // One workspace so far: a name, not a switcher.
    expect(await frame.getByRole('combobox', { name: 'Workspace' }).count()).toBe(0);
    expect(await frame.locator('body').textContent()).not.toContain('Keyward');
    const child = page.frames()[1];
    expect(await child?.title()).toBe(`API keys · ${PRODUCT}`);
    // The one-time link is gone from the frame's address once used.
    expect(child?.url()).toBe(`${keyward.url}/settings/api-keys`);

    // The session cookie is third-party here: only SameSite=None, Secure and Partitioned lets it stay.
    const cookies = await watched.context.cookies(keyward.url);
    expect(cookies).toEqual([
      expect.objectContaining({
        name: 'kw_session',
        httpOnly: true,
        secure: true,
        sameSite: 'None',
        partitionKey: 'http://localhost',
      }),
    ]);
    await screenshots(page, '20-embedded');
  });

  it('the person creates a key inside the frame (cookie, CSRF token, own Origin); it works and the operator sees it', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    await frame.getByRole('button', { name: 'Create API key' }).click();
    await frame.getByLabel('Name', { exact: true }).fill('From the portal');
    await frame.getByRole('button', { name: 'Create key' }).click();
    const secret = await secretInDialog(frame);
    await frame.getByRole('dialog').getByRole('button', { name: 'Done' }).click();
    expect(secret).toMatch(/^spk_/);
    expect(await ping(keyward.url, secret)).toBe(200);
    const keys = await adminApi<{ data: { name: string }[] }>(keyward, 'GET', `/workspaces/${acme}/keys`);
    expect(keys.data.map((k) => k.name)).toEqual(['From the portal']);

    // Every load of the operator's page mints a new link; the key is still there.
    await page.reload();
    await expectVisible(frame.getByRole('row').filter({ hasText: 'From the portal' }));
  });

  it('a link to a second workspace of the same person adds it: the switcher moves between them', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    await page.goto(`${allowed.origin}/settings?workspace=${labs}`);
    const switcher = frame.getByRole('combobox', { name: 'Workspace' });
    await expectVisible(switcher);
    expect(await switcher.inputValue()).toBe(labs);
    expect(await switcher.locator('option').allTextContents()).toEqual(
      expect.arrayContaining(['Customer Co', 'Customer Labs']),
    );
    await expectVisible(frame.getByText('No API keys yet'));
    expect(await frame.getByRole('row').filter({ hasText: 'From the portal' }).count()).toBe(0);

    await switcher.selectOption(acme);
    await expectVisible(frame.getByRole('row').filter({ hasText: 'From the portal' }));
    expect(await switcher.inputValue()).toBe(acme);
    await screenshots(page, '21-embedded-switcher');
  });

  it('"Back to <product>" takes the whole page back to the operator\'s own page', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    const back = frame.getByRole('link', { name: `← Back to ${PRODUCT}` });
    await expectVisible(back);
    expect(await back.getAttribute('href')).toBe(`${allowed.origin}/account`);
    expect(await back.getAttribute('target')).toBe('_top');
    await back.click();
    await page.waitForURL(`${allowed.origin}/account`);
    await expectVisible(page.getByRole('heading', { name: 'Acme account' }));
    expect(page.frames()).toHaveLength(1);
  });

  it('the frame partition is its own: Keyward opened directly in the same browser is signed out', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    const direct = await watched.context.newPage();
    try {
      await direct.goto(`${keyward.url}/settings/api-keys`);
      await direct.waitForURL('**/sign-in');
      await expectVisible(direct.getByRole('heading', { name: `Sign in to ${PRODUCT}` }));
      expect(await direct.title()).toContain(PRODUCT);
    } finally {
      await direct.close();
    }
  });

  it('a page whose origin is not in KEYWARD_FRAME_ANCESTORS gets no dashboard', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    const outsider = await openWatchedPage(browser);
    try {
      const refused = outsider.page.waitForEvent('console', {
        predicate: (m) => m.text().includes('frame-ancestors') && m.text().includes('blocked'),
        timeout: 10_000,
      });
      await outsider.page.goto(`${other.origin}/settings?workspace=${acme}`);
      const message = (await refused).text();
      expect(message).toContain(`"frame-ancestors 'self' ${allowed.origin}"`);
      const child = outsider.page.frames()[1];
      expect(child?.url()).not.toContain(keyward.url);
      const text = await child?.evaluate(() => document.body?.innerText ?? '').catch(() => '');
      expect(text).not.toContain(PRODUCT);
    } finally {
      await outsider.context.close();
    }
  });
});
