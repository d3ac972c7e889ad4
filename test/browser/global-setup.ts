/**
 * Builds the dashboard once before any test file runs, when web/dist is missing or stale: suites
 * that start `keyward serve` would otherwise each wait for the build serve does before listening.
 */
import { ensureDashboardBuilt } from '../../src/server/dashboard-build.ts';

export default async function setup(): Promise<void> {
  const result = await ensureDashboardBuilt({
    info: (_obj, msg) => console.log(`[dashboard] ${msg}`),
    error: (obj, msg) => console.error(`[dashboard] ${msg}`, obj),
  });
  if (result === 'failed') console.error('[dashboard] tests that load the dashboard will fail');
}
