/**
 * Redis dies under load (SIGKILL of the instances' own redis-server) and comes back on its port.
 * KEYWARD_REDIS_FAILURE=open (the default) keeps serving on per-instance limits and reports
 * "degraded"; =closed refuses at once with 503 ERR_UNAVAILABLE. Either way: no crash, no 500, no
 * multi-second stall, and both instances are back to normal within seconds of Redis returning.
 */
import { describe, expect, it } from 'vitest';
import { faultServices } from './harness.ts';
import { answeredWithin, between, notOk, tally, unavailable } from './load.ts';
import { expectContract, itStopsGracefully, READY_MAX_MS, useRig } from './rig.ts';
import { runScenario } from './scenario.ts';

const services = faultServices();
/** A Redis outage must not slow answers down: the real target is ~100–500 ms; this bound is for a busy box. */
const REDIS_OUTAGE_MAX_MS = 1_500;
const OUTAGE_MS = 3_000;
/** Answers to requests already under way when Redis died may still be the old kind. */
const GRACE_MS = 500;

describe('faults: Redis killed under load', () => {
  if (!services) {
    it.skip('needs PostgreSQL and Redis (see the warning above)', () => {});
    return;
  }

  describe('KEYWARD_REDIS_FAILURE=open (the default): fail open', () => {
    const rig = useRig({
      databaseUrl: services.databaseUrl,
      database: 'shared',
      env: { KEYWARD_REDIS_FAILURE: 'open' },
    });

    it('keeps answering 200 with rate-limit headers, /readyz says degraded, and recovers', async () => {
      const { instances, redis, secret } = rig();
      const r = await runScenario({
        instances,
        secret,
        fault: () => redis.kill(),
        restore: () => redis.start(),
        outageMs: OUTAGE_MS,
        readinessAt: [GRACE_MS, 2_000],
      });
      expectContract(rig(), r, REDIS_OUTAGE_MAX_MS);

      const outage = between(r.samples, r.faultAt, r.restoredAt);
      expect.soft(outage.length, 'requests were answered during the outage').toBeGreaterThan(50);
      expect.soft(notOk(outage), 'every /v1 answer during the outage is 2xx').toEqual([]);
      expect
        .soft(
          r.samples.filter((s) => s.status !== 0 && !s.rateLimited).length,
          'X-RateLimit-* on every answer, outage or not',
        )
        .toBe(0);
      for (const x of r.readiness) {
        expect
          .soft({
            instance: x.instance,
            status: x.status,
            state: x.state,
            redis: x.checks?.redis,
            fast: x.ms < READY_MAX_MS,
          })
          .toEqual({
            instance: x.instance,
            status: 200,
            state: 'degraded',
            redis: 'unreachable',
            fast: true,
          });
      }
      expect.soft(r.readyAfter.map((x) => x.checks?.redis)).toEqual(['ok', 'ok']);
    }, 60_000);

    itStopsGracefully(rig);
  });

  describe('KEYWARD_REDIS_FAILURE=closed: fail closed', () => {
    const rig = useRig({
      databaseUrl: services.databaseUrl,
      database: 'shared',
      env: { KEYWARD_REDIS_FAILURE: 'closed' },
    });

    it('answers 503 ERR_UNAVAILABLE with Retry-After at once, /readyz says so, and recovers', async () => {
      const { instances, redis, secret } = rig();
      const r = await runScenario({
        instances,
        secret,
        fault: () => redis.kill(),
        restore: () => redis.start(),
        outageMs: OUTAGE_MS,
        readinessAt: [GRACE_MS, 2_000],
      });
      expectContract(rig(), r, REDIS_OUTAGE_MAX_MS);

      const outage = answeredWithin(r.samples, r.brokenAt + GRACE_MS, r.restoringAt);
      expect.soft(outage.length, 'requests were answered during the outage').toBeGreaterThan(50);
      const refused = new Set(unavailable(outage));
      expect
        .soft(
          tally(outage.filter((s) => !refused.has(s))),
          'every /v1 answer during the outage is 503 ERR_UNAVAILABLE',
        )
        .toEqual([]);
      for (const x of r.readiness) {
        expect
          .soft({ instance: x.instance, status: x.status, redis: x.checks?.redis, fast: x.ms < READY_MAX_MS })
          .toEqual({ instance: x.instance, status: 503, redis: 'unreachable', fast: true });
      }
    }, 60_000);

    itStopsGracefully(rig);
  });
});
