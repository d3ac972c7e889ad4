/**
 * PostgreSQL goes away under load and comes back: the instances' own cluster is stopped (fast
 * shutdown: every session is told 57P01, then connections are refused) and started again; and,
 * through a proxy, every connection is reset and new ones are refused (a partition) and then let
 * through again. Requests that need the database answer 503 ERR_UNAVAILABLE with Retry-After
 * meanwhile, /readyz says the database is unreachable, and both instances recover within seconds.
 */
import { describe, it } from 'vitest';
import { faultServices } from './harness.ts';
import { expectContract, expectDatabaseOutage, itStopsGracefully, SHORT_DB_TIMEOUTS, useRig } from './rig.ts';
import { runScenario } from './scenario.ts';

const services = faultServices();
/** The request deadline is 2 s (SHORT_DB_TIMEOUTS); the rest is slack for a busy 2-core box. */
const DB_OUTAGE_MAX_MS = 3_500;
const OUTAGE_MS = 3_000;

describe('faults: PostgreSQL unreachable under load', () => {
  if (!services) {
    it.skip('needs PostgreSQL and Redis (see the warning above)', () => {});
    return;
  }

  describe('its own cluster stopped, then started again', () => {
    const rig = useRig({ databaseUrl: services.databaseUrl, database: 'cluster', env: SHORT_DB_TIMEOUTS });

    it('answers 503 with Retry-After while it is down, never 500, and recovers on both instances', async () => {
      const { instances, secret, cluster } = rig();
      const r = await runScenario({
        instances,
        secret,
        fault: () => cluster!.stop(),
        restore: () => cluster!.start(),
        outageMs: OUTAGE_MS,
        readinessAt: [300, 1_500],
      });
      expectContract(rig(), r, DB_OUTAGE_MAX_MS);
      expectDatabaseOutage(rig(), r, 'the outage');
    }, 60_000);

    itStopsGracefully(rig);
  });

  describe('every connection reset and new ones refused (a proxy), then let through again', () => {
    const rig = useRig({ databaseUrl: services.databaseUrl, database: 'proxy', env: SHORT_DB_TIMEOUTS });

    it('answers 503 with Retry-After while cut off, never 500, and recovers on both instances', async () => {
      const { instances, secret, proxy } = rig();
      const r = await runScenario({
        instances,
        secret,
        fault: () => proxy!.refuse(),
        restore: () => proxy!.accept(),
        outageMs: OUTAGE_MS,
        readinessAt: [300, 1_500],
      });
      expectContract(rig(), r, DB_OUTAGE_MAX_MS);
      expectDatabaseOutage(rig(), r, 'the outage');
    }, 60_000);

    itStopsGracefully(rig);
  });
});
