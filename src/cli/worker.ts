/** `keyward worker`: delivers webhooks without serving HTTP (beside servers started with KEYWARD_WEBHOOK_WORKER=false, or for more throughput). */
import type { Command } from 'commander';
import pino from 'pino';
import { loadConfig } from '../config/config.ts';
import { systemClock } from '../core/clock.ts';
import { redactUrl } from '../storage/dialect.ts';
import { openStorage } from '../storage/index.ts';
import { startWebhookWorker } from '../webhooks/run.ts';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('deliver webhooks from the outbox until stopped (SIGINT/SIGTERM)')
    .option('--database-url <url>', 'sqlite:PATH or postgres://… (default: KEYWARD_DATABASE_URL)')
    .action(async (opts: { databaseUrl?: string }) => {
      const config = loadConfig(process.env, { databaseUrl: opts.databaseUrl });
      const logger = pino({ level: config.logLevel });
      const storage = openStorage(config.databaseUrl);
      await storage.migrate();
      const worker = startWebhookWorker(config, { storage, clock: systemClock, logger });
      logger.info(
        { worker: worker.id, database: redactUrl(config.databaseUrl) },
        'keyward webhook worker started',
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      // Attempts in flight finish (or keep their lease and are retried by another worker).
      await worker.stop();
      await storage.close();
      logger.info({ worker: worker.id }, 'keyward webhook worker stopped');
    });
}
