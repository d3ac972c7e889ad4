/**
 * PostgreSQL stays up but misbehaves under load: every session of the instances is terminated
 * (pg_terminate_backend, again and again, including clients checked out mid-transaction), and the
 * database stalls for 5 s (a proxy stops forwarding bytes). No instance crashes, nothing answers
 * 500, a stalled request answers 503 within the deadline, and both recover within seconds.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { faultServices, sleep } from './harness.ts';
import { expectContract, expectDatabaseOutage, itStopsGracefully, SHORT_DB_TIMEOUTS, useRig } from './rig.ts';
import { runScenario } from './scenario.ts';

const services = faultServices();
/** The request deadline is 2 s (SHORT_DB_TIMEOUTS); the rest is slack for a busy 2-core box. */
const DB_FAULT_MAX_MS = 3_500;

/** Terminates every session named `applicationName` (only the instances' own); returns how many. */
async function terminateSessions(databaseUrl: string, applicationName: string): Promise<number> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ done: boolean }>(
      `select pg_terminate_backend(pid) as done from pg_stat_activity
        where application_name = $1 and pid <> pg_backend_pid()`,
      [applicationName],
    );
    return rows.filter((r) => r.done).length;
  } finally {
    await admin.end();
  }
}

describe('faults: PostgreSQL sessions killed or stalled under load', () => {
  if (!services) {
    it.skip('needs PostgreSQL and Redis (see the warning above)', () => {});
    return;
  }

  describe("pg_terminate_backend of every one of the instances' sessions, every 300 ms for 3 s", () => {
    const rig = useRig({ databaseUrl: services.databaseUrl, database: 'shared', env: SHORT_DB_TIMEOUTS });

    it('no instance crashes, nothing answers 500, and both recover', async () => {
      const { instances, secret, applicationName } = rig();
      const terminated: number[] = [];
      const r = await runScenario({
        instances,
        secret,
        fault: async () => {
          terminated.push(await terminateSessions(services.databaseUrl, applicationName));
        },
        during: async (active) => {
          while (active()) {
            await sleep(300);
            terminated.push(await terminateSessions(services.databaseUrl, applicationName));
          }
        },
        restore: async () => {},
        outageMs: 3_000,
        readinessAt: [],
      });
      console.log(`[faults] sessions terminated per round: ${terminated.join(' ')}`);
      expect(
        terminated.reduce((a, b) => a + b, 0),
        'some sessions were terminated',
      ).toBeGreaterThan(0);
      expectContract(rig(), r, DB_FAULT_MAX_MS);
    }, 60_000);

    itStopsGracefully(rig);
  });

  describe('a 5 s stall: the proxy forwards nothing, then everything it held', () => {
    const rig = useRig({ databaseUrl: services.databaseUrl, database: 'proxy', env: SHORT_DB_TIMEOUTS });

    it('answers 503 within the deadline while stalled, /readyz says so fast, and recovers', async () => {
      const { instances, secret, proxy } = rig();
      const r = await runScenario({
        instances,
        secret,
        fault: async () => proxy!.stall(),
        restore: async () => proxy!.resume(),
        outageMs: 5_000,
        readinessAt: [500, 2_500],
      });
      expectContract(rig(), r, DB_FAULT_MAX_MS);
      expectDatabaseOutage(rig(), r, 'the stall');
    }, 60_000);

    itStopsGracefully(rig);
  });
});
