/**
 * The rig of one fault scenario, made fresh for its describe block: a redis-server of its own, a
 * PostgreSQL schema (on the shared server, directly or through a proxy, or on a cluster of its
 * own), a key to load with, and two `keyward serve` instances sharing both. Torn down in afterAll,
 * in reverse order, whatever failed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPostgresDatabase, type TestDatabase } from '../support/storages.ts';
import {
  applicationName,
  type Instance,
  mintKey,
  OwnCluster,
  OwnRedis,
  startInstance,
  unlimitedPlansFile,
  withParams,
} from './harness.ts';
import {
  answeredWithin,
  between,
  notOk,
  ROUTES,
  type Sample,
  send,
  tally,
  unavailable,
  violations,
} from './load.ts';
import { PgProxy } from './proxy.ts';
import type { ScenarioResult } from './scenario.ts';

export interface RigOptions {
  databaseUrl: string;
  /** The servers' PostgreSQL: the shared one directly, through a proxy the test can break, or its own cluster. */
  database: 'shared' | 'proxy' | 'cluster';
  /** More environment for both instances (failure modes, timeouts). */
  env?: Record<string, string>;
}

export interface Rig {
  instances: Instance[];
  secret: string;
  redis: OwnRedis;
  proxy: PgProxy | undefined;
  cluster: OwnCluster | undefined;
  /** application_name of every session the instances open. */
  applicationName: string;
  /** The database the instances use, reached directly (never through the proxy). */
  db: TestDatabase;
}

/** Short database timeouts, so that a stalled or missing database answers 503 within about 3 s. */
export const SHORT_DB_TIMEOUTS = {
  KEYWARD_DB_CONNECT_TIMEOUT: '1s',
  KEYWARD_DB_STATEMENT_TIMEOUT: '1s',
  KEYWARD_REQUEST_DEADLINE: '2s',
};

export function useRig(options: RigOptions): () => Rig {
  let rig: Rig | undefined;
  const cleanups: (() => Promise<unknown> | unknown)[] = [];

  beforeAll(async () => {
    const redis = await OwnRedis.start();
    cleanups.push(() => redis.stop());
    let base = options.databaseUrl;
    let cluster: OwnCluster | undefined;
    if (options.database === 'cluster') {
      const own = await OwnCluster.create();
      cluster = own;
      cleanups.push(() => own.drop());
      base = own.url;
    }
    const db = await createPostgresDatabase(base);
    // On a cluster of its own the schema goes with the cluster (which may be down when this runs).
    cleanups.push(() => (cluster ? db.storage.close() : db.drop()));
    const secret = await mintKey(db);
    const name = applicationName();
    let serverUrl = withParams(db.url, { application_name: name });
    let proxy: PgProxy | undefined;
    if (options.database === 'proxy') {
      const target = new URL(base);
      const own = new PgProxy(target.hostname, Number(target.port || 5432));
      proxy = own;
      await own.accept();
      cleanups.push(() => own.close());
      const through = new URL(serverUrl);
      through.host = `127.0.0.1:${own.port}`;
      serverUrl = through.toString();
    }
    const plans = unlimitedPlansFile();
    cleanups.push(() => plans.remove());
    const env = {
      KEYWARD_DATABASE_URL: serverUrl,
      KEYWARD_REDIS_URL: redis.url,
      KEYWARD_PLANS: plans.path,
      ...options.env,
    };
    const instances: Instance[] = [];
    // Stopped before anything they use goes away.
    cleanups.push(() => Promise.all(instances.map((i) => i.stop())));
    instances.push(...(await Promise.all(['a', 'b'].map((n) => startInstance(n, env)))));
    // Every route answers on every instance before anything is broken, or the scenario means nothing.
    const warm = await Promise.all(instances.flatMap((i) => ROUTES.map((r) => send(i, secret, r))));
    const cold = notOk(warm);
    if (cold.length > 0) {
      throw new Error(
        `instances not healthy before the fault: ${cold.join('; ')}\n${instances[0]!.stdout()}`,
      );
    }
    rig = { instances, secret, redis, proxy, cluster, applicationName: name, db };
  }, 90_000);

  afterAll(async () => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'fault rig cleanup failed');
  }, 60_000);

  return () => {
    if (!rig) throw new Error('the fault rig did not start (see beforeAll)');
    return rig;
  };
}

/**
 * What every scenario promises: no instance crashed or logged an uncaught error; every answer was
 * 2xx or a proper error envelope (never 500, 503 only as ERR_UNAVAILABLE with Retry-After), none
 * slower than `maxMs`; and after the restore, within the recovery time, both instances answer every
 * route 2xx and stay so, and /readyz is 200.
 */
export function expectContract(rig: Rig, r: ScenarioResult, maxMs: number): void {
  expect
    .soft(
      rig.instances.flatMap((i) => i.problems()),
      'instances alive, no uncaught error',
    )
    .toEqual([]);
  expect.soft(violations(r.samples, maxMs, r.faultAt), 'answers keep the error contract').toEqual([]);
  expect.soft(r.recoveredAt, 'every route 2xx on both instances within 6 s of the restore').toBeDefined();
  if (r.recoveredAt !== undefined) {
    expect.soft(notOk(between(r.samples, r.recoveredAt)), 'load answers 2xx once recovered').toEqual([]);
  }
  expect
    .soft(
      r.readyAfter.map((x) => `${x.instance} ${x.status}`),
      '/readyz 200 after recovery',
    )
    .toEqual(rig.instances.map((i) => `${i.name} 200`));
}

/** The last test of a describe: the instances shut down on SIGTERM, exit 0, within 10 s. */
export function itStopsGracefully(rig: () => Rig): void {
  it('both instances then shut down gracefully on SIGTERM (exit 0)', async () => {
    const stops = await Promise.all(
      rig().instances.map(async (i) => ({ name: i.name, ...(await i.stop()) })),
    );
    for (const s of stops) {
      expect({ instance: s.name, code: s.code, signal: s.signal }).toEqual({
        instance: s.name,
        code: 0,
        signal: null,
      });
    }
  }, 30_000);
}

/** /readyz must tell of a missing dependency within this (the target; a check of its own, not the request deadline). */
export const READY_MAX_MS = 1_500;

/**
 * While the database was unusable for the whole exchange, everything that needs it answered 503
 * ERR_UNAVAILABLE (ping may still answer from the credential cache), on both instances; and each
 * /readyz probe said the database is unreachable, quickly.
 */
export function expectDatabaseOutage(rig: Rig, r: ScenarioResult, what: string): void {
  const outage = answeredWithin(r.samples, r.brokenAt, r.restoringAt).filter((s) => s.route !== 'ping');
  const refused = new Set<Sample>(unavailable(outage));
  expect
    .soft(tally(outage.filter((s) => !refused.has(s))), `during ${what}, what needs the database answers 503`)
    .toEqual([]);
  expect
    .soft(
      rig.instances.map((i) => [i.name, [...refused].some((s) => s.instance === i.name)]),
      `each instance answered 503s during ${what} (rather than waiting it out)`,
    )
    .toEqual(rig.instances.map((i) => [i.name, true]));
  for (const x of r.readiness) {
    expect
      .soft({
        instance: x.instance,
        status: x.status,
        database: x.checks?.database,
        fast: x.ms < READY_MAX_MS,
      })
      .toEqual({ instance: x.instance, status: 503, database: 'unreachable', fast: true });
  }
}
