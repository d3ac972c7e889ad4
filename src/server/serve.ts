/** `keyward serve`: config → dependencies → app → listen, and a graceful close on SIGINT/SIGTERM. */
import pino from 'pino';
import type { Config } from '../config/config.ts';
import { buildApp } from '../http/app.ts';
import { redactUrl } from '../storage/dialect.ts';
import { compose } from './compose.ts';
import { ensureDashboardBuilt } from './dashboard-build.ts';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function serve(config: Config): Promise<RunningServer> {
  const logger = pino({ level: config.logLevel });
  const started = performance.now();
  // Before listening, so the first page load gets a current dashboard (a no-op when web/dist is fresh).
  await ensureDashboardBuilt(logger);
  const composed = await compose(config, { logger });
  const app = await buildApp(composed.deps);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host}:${port}`;
  logger.info(
    {
      url,
      database: redactUrl(config.databaseUrl),
      redis: config.redisUrl ? redactUrl(config.redisUrl) : 'off (in-process limits)',
      startup_ms: Math.round(performance.now() - started),
    },
    'keyward listening',
  );

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await app.close();
      await composed.close();
      logger.info('keyward stopped');
    })();
    return closing;
  };
  return { url, close };
}

/** Runs until a signal, then closes gracefully (pending usage is flushed). */
export async function serveUntilSignal(config: Config): Promise<void> {
  const server = await serve(config);
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
