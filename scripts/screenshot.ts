/**
 * Regenerates docs/images/api-keys.png, the README's picture of Settings → API keys: a real
 * `keyward serve` on a temporary database, a few keys in different states, Chromium at 1280 px.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { APIRequestContext } from 'playwright-core';
import { chromiumInstalled, launchChromium, ping, startKeyward } from '../test/browser/harness.ts';

const OUT = fileURLToPath(new URL('../docs/images/api-keys.png', import.meta.url));
const DAY = 86_400_000;

async function post<T>(request: APIRequestContext, url: string, data: unknown, csrf?: string): Promise<T> {
  const res = await request.post(url, { data, headers: csrf ? { 'x-csrf-token': csrf } : {} });
  if (!res.ok()) throw new Error(`POST ${url}: ${res.status()} ${await res.text()}`);
  return ((await res.json()) as { data: T }).data;
}

async function main() {
  if (!chromiumInstalled()) throw new Error('/usr/bin/chromium is missing: apt-get install -y chromium');
  const keyward = await startKeyward();
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 640 },
      deviceScaleFactor: 1,
    });
    const { request } = context;
    const session = await post<{ csrf_token: string }>(request, `${keyward.url}/api/setup`, {
      workspace_name: 'Acme Feedback',
      email: 'ada@acme.test',
      password: 'a long demo password',
    });
    const key = (body: Record<string, unknown>) =>
      post<{ id: string; secret: string }>(request, `${keyward.url}/api/keys`, body, session.csrf_token);

    const old = await key({ name: 'Old CI runner', scope: 'read:write' });
    await post(request, `${keyward.url}/api/keys/${old.id}/revoke`, {}, session.csrf_token);
    await key({ name: 'Staging server', scope: 'read' });
    const analytics = await key({
      name: 'Analytics export',
      scope: 'read',
      expires_at: new Date(Date.now() + 5 * DAY).toISOString(),
    });
    const production = await key({ name: 'Production backend', scope: 'read:write', rate_limit: '5000/h' });
    for (const secret of [production.secret, production.secret, analytics.secret])
      await ping(keyward.url, secret);
    // Usage is recorded in batches about once a second.
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const page = await context.newPage();
    await page.goto(`${keyward.url}/settings/api-keys`);
    await page.getByRole('row').filter({ hasText: 'Production backend' }).getByText('just now').waitFor();
    await mkdir(fileURLToPath(new URL('.', `file://${OUT}`)), { recursive: true });
    await page.screenshot({ path: OUT });
    console.log(`wrote ${OUT}`);
  } finally {
    await browser.close();
    await keyward.stop();
  }
}

await main();
