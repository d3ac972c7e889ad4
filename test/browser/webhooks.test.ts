/**
 * The Webhooks page in real Chromium against a real `keyward serve` whose in-serve worker delivers to
 * a receiver in this test, which verifies every delivery with the `standardwebhooks` package: add an
 * endpoint (the secret read from the dialog), test events that succeed and fail, the delivery log,
 * redelivery, secret rotation with overlap, edit/disable, a read-only member, delete.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Received, Receiver } from '../webhooks/support.ts';
import {
  createUserWithCli,
  DESKTOP,
  expectVisible,
  type Keyward,
  launchChromium,
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

const OWNER = { email: 'owner@hooks.test', password: 'correct horse battery' };
const MEMBER = { email: 'member@hooks.test', password: 'member password 1' };
const FLOW_TIMEOUT = 30_000;

const available = chromiumForSuite('webhooks');

describe.runIf(available)('webhooks page in Chromium', () => {
  let keyward: Keyward;
  let receiver: Receiver;
  let browser: Browser;
  let watched: WatchedPage;
  let page: Page;
  const secrets: string[] = [];
  let endpointPath = '';

  beforeAll(async () => {
    [keyward, receiver, browser] = await Promise.all([
      // The receiver is plain http on 127.0.0.1: allowed only because these say so.
      startKeyward({ KEYWARD_WEBHOOK_ALLOW_HTTP: 'true', KEYWARD_WEBHOOK_ALLOW_PRIVATE: 'true' }),
      Receiver.start(),
      launchChromium(),
    ]);
    watched = await openWatchedPage(browser);
    page = watched.page;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await keyward?.stop();
  });

  const dialog = () => page.getByRole('dialog');
  const deliveries = () => page.getByTestId('delivery');

  /** Reads a signing secret from the open dialog, beside its "shown once" warning. */
  async function secretFromDialog(): Promise<string> {
    const secret = await secretInDialog(page);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    secrets.push(secret);
    return secret;
  }

  /** Waits for the worker in `keyward serve` to deliver: the receiver has had `count` requests. */
  async function received(count: number, timeoutMs = 8_000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    while (receiver.received.length < count) {
      if (Date.now() > deadline)
        throw new Error(`the receiver got ${receiver.received.length} deliveries, not ${count}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return receiver.received[count - 1]!;
  }

  it('an endpoint: added with the keyboard, secret shown once, test events succeed and fail, redelivered', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    await page.goto(`${keyward.url}/`);
    await page.waitForURL('**/setup');
    await submitSetup(page, 'Hooks Inc', OWNER);
    await expectVisible(page.getByRole('heading', { level: 1, name: 'API keys' }));

    await page.getByRole('link', { name: 'Webhooks' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Webhooks' }));
    await expectVisible(page.getByText('No webhook endpoints yet'));

    // The whole form by keyboard: focus starts on the URL, Space ticks "All events" (which includes,
    // and so disables, every single event), Tab skips them to the description, Enter submits.
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await expectVisible(dialog());
    await page.keyboard.type(receiver.url('/hook'));
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    expect(await dialog().getByLabel('All events').isChecked()).toBe(true);
    expect(await dialog().getByLabel('post.created').isChecked()).toBe(true);
    expect(await dialog().getByLabel('post.created').isDisabled()).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Local receiver of the browser test');
    await screenshots(page, 'webhooks-01-create');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Add endpoint');
    await page.keyboard.press('Enter');

    const secret = await secretFromDialog();
    receiver.secrets = [secret];
    await screenshots(page, 'webhooks-02-secret');
    await dialog().getByRole('button', { name: 'Done' }).click();

    // Done leads to the endpoint's page.
    await expectVisible(page.getByRole('heading', { level: 1, name: receiver.url('/hook') }));
    endpointPath = new URL(page.url()).pathname;
    expect(endpointPath).toMatch(/^\/settings\/webhooks\/whk_/);
    await expectVisible(page.getByText('No deliveries yet'));

    // A test event: delivered, verified with the secret from the dialog, logged as succeeded / 200.
    await page.getByRole('button', { name: 'Send test event' }).click();
    const first = await received(1);
    expect(first.verified).toBe(true);
    expect(first.payload.type).toBe('webhook.test');
    await expectVisible(deliveries().first().getByText('Succeeded'));
    await expectVisible(deliveries().first().getByText('200', { exact: true }));

    // The receiver fails: the attempt is logged with its status and body, and retried.
    receiver.reply = () => ({ status: 500, body: 'receiver says no' });
    await page.getByRole('button', { name: 'Send test event' }).click();
    const failing = await received(2);
    expect(failing.verified).toBe(true);
    expect(failing.id).not.toBe(first.id);
    const failedRow = deliveries().first();
    await expectVisible(failedRow.getByText('500', { exact: true }));
    await expectVisible(failedRow.getByText('Retrying'));
    await failedRow.getByRole('button', { name: 'Attempts' }).click();
    await expectVisible(page.getByText('receiver says no'));
    await screenshots(page, 'webhooks-03-deliveries');

    // It works again; redeliver: a new delivery with the same webhook-id, verified, succeeded.
    receiver.reply = () => ({ status: 200, body: 'ok' });
    await failedRow.getByRole('button', { name: 'Redeliver' }).click();
    await expectVisible(page.getByText('queued again as a new delivery'));
    const deadline = Date.now() + 8_000;
    while (!receiver.received.slice(2).some((r) => r.id === failing.id && r.verified)) {
      if (Date.now() > deadline) throw new Error('the redelivery did not arrive');
      await new Promise((r) => setTimeout(r, 100));
    }
    await expectVisible(deliveries().nth(2));
    await expectVisible(deliveries().first().getByText('redelivery'));
    await expectVisible(deliveries().first().getByText('Succeeded'));
    await expectVisible(deliveries().first().getByText('200', { exact: true }));
    expect(receiver.received.every((r) => r.verified)).toBe(true);
  });

  it('rotating the secret shows the new one once; both sign during the overlap', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    const old = secrets[0]!;
    await page.getByRole('button', { name: 'Rotate secret…' }).click();
    await expectVisible(dialog().getByText('keeps signing until'));
    await dialog().getByRole('button', { name: 'Rotate secret' }).click();
    const fresh = await secretFromDialog();
    expect(fresh).not.toBe(old);
    await expectVisible(
      dialog().getByTestId('previous-secret-until').getByText('keeps signing deliveries until'),
    );
    await dialog().getByRole('button', { name: 'Done' }).click();
    await expectVisible(page.getByTestId('previous-secret'));

    const before = receiver.received.length;
    await page.getByRole('button', { name: 'Send test event' }).click();
    const next = await received(before + 1);
    expect(receiver.verifies(next, fresh)).toBe(true);
    expect(receiver.verifies(next, old)).toBe(true);
  });

  it('edit: events and description, disable (test event refused) and enable again', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await dialog().getByLabel('All events').uncheck();
    await dialog().getByLabel('post.created').check();
    await dialog().getByLabel('vote.created').check();
    await dialog().getByLabel('Enabled').uncheck();
    await expectVisible(dialog().getByText('deliveries waiting for it are given up'));
    await dialog().getByRole('button', { name: 'Save changes' }).click();
    await dialog().waitFor({ state: 'hidden' });

    await expectVisible(page.getByText('This endpoint is disabled'));
    await expectVisible(page.getByRole('region', { name: 'Endpoint' }).getByText('vote.created'));
    const test = page.getByRole('button', { name: 'Send test event' });
    expect(await test.isDisabled()).toBe(true);
    expect(await test.getAttribute('title')).toMatch(/enable it first/);

    await page.getByRole('button', { name: 'Enable endpoint' }).click();
    await expectVisible(page.getByText('enabled again'));
    expect(await test.isDisabled()).toBe(false);

    await page.getByRole('link', { name: 'Webhooks' }).first().click();
    const row = page.getByRole('row').filter({ hasText: receiver.url('/hook') });
    await expectVisible(row.getByText('Enabled'));
    await expectVisible(row.getByText('post.created'));
    await expectVisible(row.getByText('Local receiver of the browser test'));
    await screenshots(page, 'webhooks-04-list');
  });

  it('a member sees endpoints and deliveries read-only', { timeout: FLOW_TIMEOUT }, async () => {
    const workspace = await page.evaluate(
      async () =>
        ((await (await fetch('/api/session')).json()) as { data: { workspace: { id: string } } }).data,
    );
    await createUserWithCli(keyward.databaseUrl, {
      workspace: workspace.workspace.id,
      email: MEMBER.email,
      role: 'member',
      password: MEMBER.password,
    });
    const memberContext = await browser.newContext({ viewport: DESKTOP });
    const member = await memberContext.newPage();
    try {
      await member.goto(`${keyward.url}${endpointPath}`);
      await member.waitForURL('**/sign-in');
      await submitSignIn(member, MEMBER);
      await expectVisible(member.getByRole('heading', { level: 1, name: receiver.url('/hook') }));
      await expectVisible(member.getByText('You have read-only access here.'));
      await expectVisible(member.getByTestId('delivery').first());
      for (const name of ['Send test event', 'Edit', 'Delete', 'Rotate secret…']) {
        const button = member.getByRole('button', { name, exact: true });
        expect(await button.isDisabled()).toBe(true);
        expect(await button.getAttribute('title')).toMatch(/Only admins and owners/);
      }
      const redeliver = member.getByTestId('delivery').first().getByRole('button', { name: 'Redeliver' });
      expect(await redeliver.isDisabled()).toBe(true);
      await screenshots(member, 'webhooks-05-member');
    } finally {
      await memberContext.close();
    }
  });

  it('delete asks first, then the endpoint is gone', { timeout: FLOW_TIMEOUT }, async () => {
    await page.goto(`${keyward.url}${endpointPath}`);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await expectVisible(dialog().getByText('stops receiving events at once'));
    await dialog().getByRole('button', { name: 'Delete endpoint' }).click();
    await expectVisible(page.getByText('No webhook endpoints yet'));
    expect(new URL(page.url()).pathname).toBe('/settings/webhooks');
  });

  it('no signing secret reached storage, the URL or the console', async () => {
    expect(secrets).toHaveLength(2);
    await expectNoSecretLeaked(watched, secrets);
  });
});
