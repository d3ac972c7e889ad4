/**
 * The rule every browser suite follows (kept out of harness.ts, which scripts use outside vitest):
 * without Chromium it is skipped with a warning, except under `CI=true`, where it fails.
 */
import { describe, expect, it } from 'vitest';
import { CHROMIUM, chromiumInstalled } from './harness.ts';

/**
 * Whether the browser suite `name` can run: without Chromium it is skipped with a warning, except
 * under `CI=true`, where a failing test is registered instead (CI must install Debian's chromium).
 */
export function chromiumForSuite(name: string): boolean {
  const ci = process.env.CI === 'true';
  const available = chromiumInstalled();
  if (!available && !ci) {
    console.warn(
      [
        '',
        '*'.repeat(78),
        `*** SKIPPING the ${name} browser tests: ${CHROMIUM} is not installed.`,
        '*** Install it with `apt-get install -y chromium` to run them (CI fails without it).',
        '*'.repeat(78),
        '',
      ].join('\n'),
    );
  }
  if (!available && ci) {
    describe(`${name} in Chromium (CI)`, () => {
      it('has Chromium to run in', () => {
        expect.fail(`${CHROMIUM} is missing; CI must install Debian chromium (see .ci/run).`);
      });
    });
  }
  return available;
}
