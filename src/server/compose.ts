/** Composes config into the app's dependencies (storage, limiter, cache, bus, usage) and closes them. */

import type { FastifyBaseLogger } from 'fastify';
import { SessionService } from '../accounts/sessions.ts';
import { CredentialCache } from '../cache/credential-cache.ts';
import { InvalidationBus } from '../cache/invalidation-bus.ts';
import type { Config } from '../config/config.ts';
import { type Clock, systemClock } from '../core/clock.ts';
import { CredentialVerifier } from '../credentials/verify.ts';
import { OutageLog } from '../faults/outage-log.ts';
import { openRedisConnections } from '../faults/redis-connections.ts';
import type { AppDeps } from '../http/deps.ts';
import { expireInactiveCredentials } from '../jobs/inactivity-expiry.ts';
import { scheduleJob } from '../jobs/schedule.ts';
import { pruneWebhookDeliveries } from '../jobs/webhook-retention.ts';
import { FailoverRateLimiter } from '../limits/failover-rate-limiter.ts';
import { createRateLimiter } from '../limits/index.ts';
import { InstanceCount } from '../limits/instance-count.ts';
import { IpBlocks } from '../limits/ip-blocks.ts';
import { OperatorAuthenticator } from '../operators/tokens.ts';
import { openStorage, type Storage } from '../storage/index.ts';
import { UsageRecorder } from '../usage/recorder.ts';
import { outboxUsageEvents } from '../webhooks/emit.ts';
import { WebhookMetrics } from '../webhooks/metrics.ts';
import { startWebhookWorker } from '../webhooks/run.ts';
import type { WebhookWorker } from '../webhooks/worker.ts';
import { credentialContextFor } from './credential-context.ts';
import { DEFAULT_REDIS_PREFIX, redisChannels } from './redis-names.ts';

export interface ComposeOptions {
  clock?: Clock;
  logger?: FastifyBaseLogger;
  /** An already open storage (tests); otherwise opened from the config. */
  storage?: Storage;
  /** Namespace for Redis keys and channels (tests use one per run). */
  redisPrefix?: string;
  cacheSize?: number;
  pollIntervalMs?: number;
  /** How often usage is written (default 1 s); bench/servers/instrumented.ts can hold it back. */
  usageIntervalMs?: number;
  /** Background jobs (inactivity expiry, webhook retention); tests run them by hand. */
  jobs?: boolean;
  /** The webhook delivery worker in this process (default: config.webhookWorker). */
  webhookWorker?: boolean;
}

export interface Composed {
  deps: AppDeps;
  /** The webhook worker running in this process, if any. */
  webhookWorker: WebhookWorker | undefined;
  close(): Promise<void>;
}

export async function compose(config: Config, options: ComposeOptions = {}): Promise<Composed> {
  const clock = options.clock ?? systemClock;
  const outages = new OutageLog({ logger: options.logger });
  const storage =
    options.storage ??
    openStorage(config.databaseUrl, {
      connectTimeoutMs: config.dbConnectTimeout,
      statementTimeoutMs: config.dbStatementTimeout,
      idleInTransactionTimeoutMs: config.dbIdleInTransactionTimeout,
      onConnectionLost: (err) => outages.down('database', err.message),
    });
  outages.setProbe('database', () => storage.ping());
  // What was opened so far is closed again if a later step fails: a failed start leaves nothing running.
  const opened: (() => Promise<void>)[] = [];
  if (!options.storage) opened.push(() => storage.close());
  try {
    return await composeOver(storage, outages, opened, config, clock, options);
  } catch (err) {
    await closeOpenedIn(opened);
    throw err;
  }
}

async function composeOver(
  storage: Storage,
  outages: OutageLog,
  opened: (() => Promise<void>)[],
  config: Config,
  clock: Clock,
  options: ComposeOptions,
): Promise<Composed> {
  await storage.migrate();
  const prefix = options.redisPrefix ?? DEFAULT_REDIS_PREFIX;
  const channels = redisChannels(prefix);

  const redisConnections = config.redisUrl
    ? openRedisConnections(config.redisUrl, { outages, connectTimeoutMs: config.dbConnectTimeout })
    : undefined;
  if (redisConnections) {
    opened.push(() => redisConnections.close());
    // A Redis that is away at start: serve degraded (or refuse, per KEYWARD_REDIS_FAILURE) until it is back.
    if (!(await redisConnections.ready(config.dbConnectTimeout)))
      options.logger?.warn({}, 'redis is not reachable at start; continuing without it until it is');
  }
  const redis = redisConnections?.commands;
  const subscriber = redisConnections?.subscriber;
  const cache = new CredentialCache(options.cacheSize);
  const bus = new InvalidationBus({
    storage,
    cache,
    redis:
      redis && subscriber ? { publisher: redis, subscriber, channel: channels.invalidations } : undefined,
    pollIntervalMs: options.pollIntervalMs,
  });
  await bus.start();
  const ipBlocks = new IpBlocks({
    redis: redis && subscriber ? { publisher: redis, subscriber, channel: channels.ipBlocks } : undefined,
  });
  await ipBlocks.start();
  const instances = redis ? new InstanceCount(redis, { prefix }) : undefined;
  await instances?.start();
  if (instances) opened.push(() => instances.stop());
  const limiter =
    redis && instances
      ? new FailoverRateLimiter({
          redis,
          primary: createRateLimiter({ redis, prefix }),
          mode: config.redisFailure,
          instances,
          outages,
        })
      : createRateLimiter({});
  const verifier = new CredentialVerifier({
    storage,
    cache,
    limiter,
    plans: config.plans,
    prefixes: [config.keyPrefix, config.tokenPrefix],
  });
  // Usage alerts leave through the webhook outbox, so subscribed endpoints receive them.
  const usage = new UsageRecorder(storage, outboxUsageEvents, { intervalMs: options.usageIntervalMs, clock });
  usage.start();
  const webhookMetrics = new WebhookMetrics(storage);
  const webhookWorker =
    (options.webhookWorker ?? config.webhookWorker)
      ? startWebhookWorker(config, {
          storage,
          clock,
          metrics: webhookMetrics,
          logger: options.logger,
          outages,
        })
      : undefined;

  const deps: AppDeps = {
    config,
    storage,
    clock,
    limiter,
    cache,
    bus,
    ipBlocks,
    verifier,
    usage,
    sessions: new SessionService(storage, limiter, clock),
    operators: new OperatorAuthenticator({
      storage,
      serviceToken: config.serviceToken,
      adminToken: config.adminToken,
    }),
    logger: options.logger,
    redisPing: redis ? () => redis.ping() : undefined,
    outages,
    webhookMetrics,
    credentials: credentialContextFor(config, storage, clock, (m) => bus.publish(m)),
  };

  const jobFailed = (job: string) => (err: unknown) =>
    options.logger?.error({ err: { message: (err as Error).message } }, `${job} failed`);
  const stops =
    options.jobs === false
      ? []
      : [
          scheduleJob(
            () => expireInactiveCredentials(storage, clock, (m) => bus.publish(m)),
            10 * 60_000,
            jobFailed('inactivity expiry'),
          ),
          scheduleJob(
            () => pruneWebhookDeliveries(storage, clock),
            60 * 60_000,
            jobFailed('webhook retention'),
          ),
        ];
  const stopJobs = () => {
    for (const stop of stops) stop();
  };

  return {
    deps,
    webhookWorker,
    async close() {
      stopJobs();
      await webhookWorker?.stop();
      await usage.stop();
      await bus.stop();
      await ipBlocks.stop();
      await limiter.close();
      outages.stop();
      await closeOpenedIn(opened);
    },
  };
}

async function closeOpenedIn(opened: (() => Promise<void>)[]): Promise<void> {
  for (const close of opened.reverse()) await close().catch(() => {});
}
