/**
 * The dashboard in real Chromium against a real `keyward serve`: first-run setup, an API key from
 * creation to revocation, an integration token through rotation and expiry, and a read-only member.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createUserWithCli,
  DESKTOP,
  expectVisible,
  type Keyward,
  launchChromium,
  ping,
  screenshots,
  startKeyward,
} from './harness.ts';
import {
  expectNoSecretLeaked,
  openWatchedPage,
  secretInDialog,
  submitSetup,
  submitSignIn,
  type WatchedPage,
} from './steps.ts';
import { chromiumForSuite } from './suite.ts';

const OWNER = { email: 'owner@acme.test', password: 'correct horse battery' };
const MEMBER = { email: 'member@acme.test', password: 'member password 1' };
const FLOW_TIMEOUT = 60_000;

const available = chromiumForSuite('dashboard');

describe.runIf(available)('dashboard in Chromium', () => {
  let keyward: Keyward;
  let browser: Browser;
  let watched: WatchedPage;
  let page: Page;
  const secrets: string[] = [];
  let workspaceId = '';

  beforeAll(async () => {
    [keyward, browser] = await Promise.all([startKeyward(), launchChromium()]);
    watched = await openWatchedPage(browser, keyward.url);
    page = watched.page;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await keyward?.stop();
  });

  const go = (path: string) => page.goto(`${keyward.url}${path}`);
  const heading = (name: string) => page.getByRole('heading', { level: 1, name });
  const dialog = () => page.getByRole('dialog');

  /** Reads a secret from the open dialog and checks the "shown once" warning is beside it. */
  async function secretFromDialog(): Promise<string> {
    const secret = await secretInDialog(page);
    expect(secret.length).toBeGreaterThan(30);
    secrets.push(secret);
    return secret;
  }

  /** Reloads until `locator` shows up: usage is recorded in batches, about once a second. */
  async function reloadUntilVisible(find: () => ReturnType<Page['getByText']>, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await find().first().isVisible()) return;
      if (Date.now() > deadline) throw new Error('did not appear after reloading');
      await page.waitForTimeout(500);
      await page.reload();
      await page.waitForLoadState('networkidle');
    }
  }

  it('a fresh install opens setup, which creates the owner and signs in', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    await go('/');
    await page.waitForURL('**/setup');
    await screenshots(page, '01-setup');
    await submitSetup(page, 'Acme', OWNER);
    await expectVisible(heading('API keys'));
    expect(page.url()).toMatch(/\/settings\/api-keys$/);
    workspaceId =
      (await page.getByRole('region', { name: 'Workspace ID' }).locator('code').textContent()) ?? '';
    expect(workspaceId).toMatch(/^ws_/);
    await expectVisible(page.getByText('No API keys yet'));
  });

  it('an API key: created in a dialog, shown once, used, seen in the log, revoked → 401', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    // Esc closes a dialog and returns focus to the button that opened it.
    const create = page.getByRole('button', { name: 'Create API key' });
    await create.click();
    await expectVisible(dialog());
    // Focus stays in the dialog however far one tabs, both ways.
    for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key);
      expect(await page.evaluate(() => Boolean(document.activeElement?.closest('dialog')))).toBe(true);
    }
    await page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'hidden' });
    expect(await create.evaluate((el) => el === document.activeElement)).toBe(true);

    await create.click();
    await page.getByLabel('Name', { exact: true }).fill('CI deploy');
    await page.getByLabel('Read and write').check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = await secretFromDialog();
    await dialog().getByRole('button', { name: 'Copy secret' }).click();
    await expectVisible(dialog().getByText('Copied'));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await screenshots(page, '02-key-secret');
    await dialog().getByRole('button', { name: 'Done' }).click();

    expect(await ping(keyward.url, secret)).toBe(200);

    // A second key stays active, for the member to look at later.
    await create.click();
    await page.getByLabel('Name', { exact: true }).fill('Reporting');
    await page.getByRole('button', { name: 'Create key' }).click();
    await secretFromDialog();
    await dialog().getByRole('button', { name: 'Done' }).click();

    const row = () => page.getByRole('row').filter({ hasText: 'CI deploy' });
    await reloadUntilVisible(() => row().getByText(/ago|just now/));
    await expectVisible(row().getByText('Active'));

    await row().getByRole('link', { name: 'CI deploy' }).click();
    await expectVisible(heading('CI deploy'));
    await expectVisible(page.getByTestId('last-used'));
    // The request log is written every 5 s (docs/architecture.md): reload until it holds the ping.
    await reloadUntilVisible(() =>
      page.getByRole('region', { name: 'Recent requests' }).getByText('GET /v1/ping'),
    );
    await expectVisible(page.getByRole('region', { name: 'Usage' }).getByText('Budget:'));
    await screenshots(page, '03-key-activity');

    await page.getByRole('link', { name: 'API keys' }).first().click();
    await row().getByRole('button', { name: 'Revoke CI deploy' }).click();
    await expectVisible(dialog().getByText('refused with 401'));
    await dialog().getByRole('button', { name: 'Revoke key' }).click();
    await dialog().waitFor({ state: 'hidden' });
    await expectVisible(row().getByText('Revoked'));
    await screenshots(page, '04-keys-list');

    expect(await ping(keyward.url, secret)).toBe(401);
  });

  it('an integration: two scopes, a token, rotate later (both work), expire now (neither does)', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    await page.getByRole('link', { name: 'Private integrations' }).click();
    await expectVisible(page.getByText('No private integrations yet'));
    await page.getByRole('button', { name: 'New integration' }).click();
    await page.getByLabel('Name').fill('Zapier');
    await page.getByLabel('boards:read').check();
    await page.getByLabel('posts:write').check();
    // What each scope allows comes from the server's catalogue (GET /api/scopes).
    await expectVisible(page.getByText('Create, edit and delete posts'));
    await screenshots(page, '05-integration-new');
    await page.getByRole('button', { name: 'Create integration' }).click();
    await expectVisible(heading('Zapier'));

    await page.getByRole('button', { name: 'Generate token' }).click();
    const first = await secretFromDialog();
    await dialog().getByRole('button', { name: 'Done' }).click();
    expect(await ping(keyward.url, first)).toBe(200);

    await page.getByRole('button', { name: 'Rotate token…' }).click();
    await page.getByLabel('Rotate later').check();
    await page.getByLabel('Grace period', { exact: true }).selectOption({ label: '1 day' });
    await expectVisible(dialog().getByText('keeps working until'));
    await dialog().getByRole('button', { name: 'Rotate later' }).click();
    const second = await secretFromDialog();
    expect(second).not.toBe(first);
    await expectVisible(dialog().getByTestId('previous-valid-until').getByText('keeps working until'));
    await screenshots(page, '06-integration-rotated');
    await dialog().getByRole('button', { name: 'Done' }).click();
    await expectVisible(page.getByText('Previous token'));

    expect(await ping(keyward.url, first)).toBe(200);
    expect(await ping(keyward.url, second)).toBe(200);

    await page.getByRole('button', { name: 'Expire now' }).click();
    await expectVisible(dialog().getByText('stops working at once'));
    await dialog().getByRole('button', { name: 'Expire now' }).click();
    await dialog().waitFor({ state: 'hidden' });
    await expectVisible(page.getByText('Expired', { exact: true }).first());
    await screenshots(page, '07-integration-expired');

    expect(await ping(keyward.url, first)).toBe(401);
    expect(await ping(keyward.url, second)).toBe(401);
  });

  it('a member sees everything read-only and cannot revoke', { timeout: FLOW_TIMEOUT }, async () => {
    await createUserWithCli(keyward.databaseUrl, {
      workspace: workspaceId,
      email: MEMBER.email,
      role: 'member',
      password: MEMBER.password,
    });
    const memberContext = await browser.newContext({ viewport: DESKTOP });
    const member = await memberContext.newPage();
    try {
      await member.goto(`${keyward.url}/settings/api-keys`);
      await member.waitForURL('**/sign-in');
      await submitSignIn(member, MEMBER);
      await expectVisible(member.getByRole('heading', { level: 1, name: 'API keys' }));
      expect(member.url()).toMatch(/\/settings\/api-keys$/);

      const revoke = member.getByRole('button', { name: 'Revoke Reporting' });
      await expectVisible(revoke);
      expect(await revoke.isDisabled()).toBe(true);
      expect(await revoke.getAttribute('title')).toMatch(/Only admins and owners/);
      expect(await member.getByRole('button', { name: 'Create API key' }).isDisabled()).toBe(true);
      await expectVisible(member.getByText('You have read-only access here.'));
      await screenshots(member, '08-member-keys');

      // The server refuses too, whatever the page shows.
      const status = await member.evaluate(async () => {
        const session = (await (await fetch('/api/session')).json()) as { data: { csrf_token: string } };
        const keys = (await (await fetch('/api/keys')).json()) as { data: { id: string; status: string }[] };
        const active = keys.data.find((k) => k.status === 'active')!;
        const res = await fetch(`/api/keys/${active.id}/revoke`, {
          method: 'POST',
          headers: { 'x-csrf-token': session.data.csrf_token },
        });
        return res.status;
      });
      expect(status).toBe(403);
    } finally {
      await memberContext.close();
    }
  });

  it('every other page loads, with its data, at desktop and phone width', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    const pages = [
      { path: '/usage', title: 'Usage', shows: 'Workspace requests', shot: '09-usage' },
      { path: '/audit-log', title: 'Audit log', shows: 'key_', shot: '10-audit-log' },
      { path: '/team', title: 'Team', shows: MEMBER.email, shot: '11-team' },
      {
        path: '/settings/workspace',
        title: 'Workspace',
        shows: 'Inactivity auto-expire',
        shot: '12-workspace',
      },
      {
        path: '/settings/integrations',
        title: 'Private integrations',
        shows: 'Zapier',
        shot: '13-integrations',
      },
    ];
    for (const p of pages) {
      await go(p.path);
      await expectVisible(heading(p.title));
      await expectVisible(page.getByRole('main').getByText(p.shows).first());
      await screenshots(page, p.shot);
    }
  });

  it('no secret reached storage, the URL or the console', async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    await expectNoSecretLeaked(watched, secrets);
  });
});
