/**
 * Steps both browser suites take the same way (kept out of harness.ts, which scripts use outside
 * vitest): a page whose console is recorded, setup and sign-in, reading a secret, and the leak check.
 */
import type { Browser, BrowserContext, ConsoleMessage, FrameLocator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { DESKTOP, expectVisible } from './harness.ts';

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Every console message and page error, to check no secret was logged. */
  consoleText: string[];
}

export async function openWatchedPage(browser: Browser, clipboardFor?: string): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: DESKTOP });
  if (clipboardFor)
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: clipboardFor });
  const page = await context.newPage();
  const consoleText: string[] = [];
  page.on('console', (m: ConsoleMessage) => consoleText.push(m.text()));
  page.on('pageerror', (e) => consoleText.push(`pageerror: ${e.message}`));
  return { context, page, consoleText };
}

/** Fills the first-run setup form, which is open (in a page or an iframe), and submits it. */
export async function submitSetup(
  page: Page | FrameLocator,
  workspace: string,
  owner: { email: string; password: string },
): Promise<void> {
  await page.getByLabel('Workspace name').fill(workspace);
  await page.getByLabel('Your email').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Create workspace' }).click();
}

/** Fills the sign-in form, which is open, and submits it. */
export async function submitSignIn(page: Page, user: { email: string; password: string }): Promise<void> {
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The secret in the open dialog, after checking the "shown once" warning is beside it. */
export async function secretInDialog(page: Page | FrameLocator): Promise<string> {
  const dialog = page.getByRole('dialog');
  await expectVisible(dialog.getByText("you won't see this again"));
  return (await dialog.getByTestId('secret').textContent())?.trim() ?? '';
}

/** No secret is in storage, the URL, cookies or the console, and no page error happened. */
export async function expectNoSecretLeaked(watched: WatchedPage, secrets: readonly string[]): Promise<void> {
  const stored = await watched.page.evaluate(
    () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + location.href,
  );
  const cookies = JSON.stringify(await watched.context.cookies());
  for (const secret of secrets) {
    expect(stored).not.toContain(secret);
    expect(cookies).not.toContain(secret);
    expect(watched.consoleText.join('\n')).not.toContain(secret);
  }
  expect(watched.consoleText.filter((t) => t.startsWith('pageerror'))).toEqual([]);
}
