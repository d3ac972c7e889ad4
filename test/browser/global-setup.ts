/**
 * Vitest's global setup, once per run before any test file: compiles the server into dist/ and builds
 * the dashboard into web/dist when either is missing or older than its sources (scripts/build.ts).
 * Every suite that spawns `bin/keyward.js` runs dist/, and those that load pages use web/dist.
 */
import { ensureBuilt } from '../../scripts/build.ts';

export default async function setup(): Promise<void> {
  const result = await ensureBuilt({
    info: (_obj, msg) => console.log(`[build] ${msg}`),
    error: (obj, msg) => console.error(`[build] ${msg}`, obj),
  });
  if (result.server === 'failed') console.error('[build] *** tests that run bin/keyward.js will fail ***');
  if (result.dashboard === 'failed') console.error('[build] *** tests that load the dashboard will fail ***');
}
