/**
 * The dashboard inside an operator's page, in real Chromium over plain http on loopback: the
 * operator's page is http://localhost:<port> and Keyward http://127.0.0.1:<port>, two different
 * sites, so the dashboard is a third-party iframe. With the page's origin in KEYWARD_FRAME_ANCESTORS
 * it loads and signs in there (Chromium keeps `SameSite=None; Secure; Partitioned` cookies over http
 * on localhost and 127.0.0.0/8, since both are secure contexts); a page not listed is refused.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectVisible, type Keyward, launchChromium, ping, screenshots, startKeyward } from './harness.ts';
import { openWatchedPage, secretInDialog, submitSetup, type WatchedPage } from './steps.ts';
import { chromiumForSuite } from './suite.ts';

const PRODUCT = 'Acme Cloud';
const OWNER = { email: 'owner@acme.test', password: 'correct horse battery' };
const FLOW_TIMEOUT = 60_000;

/** The operator's own page: a header of its own and Keyward's dashboard in an iframe. */
async function operatorPage(frameSrc: () => string): Promise<{ origin: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(`<!doctype html><title>Acme · Settings</title>
<h1>Acme settings</h1>
<iframe title="API keys" src="${frameSrc()}" style="width:1200px;height:700px;border:0"></iframe>`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { origin: `http://localhost:${(server.address() as AddressInfo).port}`, server };
}

const available = chromiumForSuite('embedding');

describe.runIf(available)('the dashboard in an operator iframe, in Chromium', () => {
  let keyward: Keyward;
  let browser: Browser;
  let allowed: { origin: string; server: Server };
  let other: { origin: string; server: Server };
  let watched: WatchedPage;
  let page: Page;
  let frame: FrameLocator;

  beforeAll(async () => {
    const dashboard = () => `${keyward.url}/settings/api-keys`;
    [allowed, other] = await Promise.all([operatorPage(dashboard), operatorPage(dashboard)]);
    [keyward, browser] = await Promise.all([
      startKeyward({ KEYWARD_FRAME_ANCESTORS: allowed.origin, KEYWARD_PRODUCT_NAME: PRODUCT }),
      launchChromium(),
    ]);
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

  it('an allowed page shows the dashboard, named after the product, and it signs in inside the frame', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    expect(new URL(allowed.origin).hostname).toBe('localhost');
    expect(new URL(keyward.url).hostname).toBe('127.0.0.1');
    await page.goto(allowed.origin);
    await expectVisible(frame.getByRole('heading', { name: `Welcome to ${PRODUCT}` }));
    await submitSetup(frame, 'Acme', OWNER);
    await expectVisible(frame.getByRole('heading', { level: 1, name: 'API keys' }));
    await expectVisible(frame.getByRole('link', { name: PRODUCT }));
    expect(await frame.locator('body').textContent()).not.toContain('Keyward');
    expect(await page.frames()[1]?.title()).toBe(`API keys · ${PRODUCT}`);

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

  it('the session works inside the frame: a key is created (cookie, CSRF token, own Origin) and survives a reload', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    await frame.getByRole('button', { name: 'Create API key' }).click();
    await frame.getByLabel('Name', { exact: true }).fill('From the portal');
    await frame.getByRole('button', { name: 'Create key' }).click();
    const secret = await secretInDialog(frame);
    await frame.getByRole('dialog').getByRole('button', { name: 'Done' }).click();
    expect(await ping(keyward.url, secret)).toBe(200);

    await page.reload();
    await expectVisible(frame.getByRole('row').filter({ hasText: 'From the portal' }));
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
      await outsider.page.goto(other.origin);
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
