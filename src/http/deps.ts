/** Everything the HTTP app is built from; composed by `serve` and by tests. */
import type { FastifyBaseLogger } from 'fastify';
import type { SessionService } from '../accounts/sessions.ts';
import type { CredentialCache } from '../cache/credential-cache.ts';
import type { InvalidationBus } from '../cache/invalidation-bus.ts';
import type { Config } from '../config/config.ts';
import type { Clock } from '../core/clock.ts';
import type { CredentialContext } from '../credentials/context.ts';
import type { CredentialVerifier } from '../credentials/verify.ts';
import type { OutageLog } from '../faults/outage-log.ts';
import type { IpBlocks } from '../limits/ip-blocks.ts';
import type { RateLimiter } from '../limits/rate-limiter.ts';
import type { OperatorAuthenticator } from '../operators/tokens.ts';
import type { Storage } from '../storage/index.ts';
import type { UsageRecorder } from '../usage/recorder.ts';
import type { WebhookMetrics } from '../webhooks/metrics.ts';

export interface AppDeps {
  config: Config;
  storage: Storage;
  clock: Clock;
  limiter: RateLimiter;
  cache: CredentialCache;
  bus: InvalidationBus;
  /** Addresses refused for failed authentication, shared by the instances. */
  ipBlocks: IpBlocks;
  verifier: CredentialVerifier;
  credentials: CredentialContext;
  usage: UsageRecorder;
  sessions: SessionService;
  /** Checks the operator tokens the admin API and key verification take. */
  operators: OperatorAuthenticator;
  /** Reports whether Redis answers, when Redis is configured. */
  redisPing?: (() => Promise<unknown>) | undefined;
  logger?: FastifyBaseLogger | undefined;
  /** Where failures of the database and Redis are counted and logged once per outage. */
  outages?: OutageLog | undefined;
  /** Webhook delivery metrics, shown on /metrics. */
  webhookMetrics?: WebhookMetrics | undefined;
}
