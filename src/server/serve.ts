/** `keyward serve`: config → dependencies → app → listen, and a graceful close on SIGINT/SIGTERM. */
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Config } from '../config/config.ts';
import { defaultPublicUrl } from '../config/embedding.ts';
import { buildApp } from '../http/app.ts';
import { redactUrl } from '../storage/dialect.ts';
import { compose } from './compose.ts';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function serve(config: Config): Promise<RunningServer> {
  const logger = pino({ level: config.logLevel });
  const started = performance.now();
  // The dashboard is served from web/dist as built (`npm run build`; the package ships it): serve never
  // builds it. When it is missing the dashboard routes log how to build it and the API is served anyway.
  const composed = await compose(config, { logger });
  let app: FastifyInstance | undefined;
  try {
    app = await buildApp(composed.deps);
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // Every start-up failure (a port in use, a bad address) closes what was opened: the process exits.
    await app?.close().catch(() => {});
    await composed.close();
    throw err;
  }
  const listening = app;
  const address = listening.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host}:${port}`;
  // PORT=0 picks the port at listen: the default public URL (portal links) names the one picked.
  if (config.port === 0 && config.publicUrl === defaultPublicUrl(config.host, 0))
    config.publicUrl = defaultPublicUrl(config.host, port);
  if (config.frameAncestors.length > 0 && !cookieCanBeSecure(config.publicUrl))
    logger.warn(
      { public_url: config.publicUrl },
      'KEYWARD_FRAME_ANCESTORS makes the session cookie Secure, which browsers keep only over https (or on localhost): set KEYWARD_PUBLIC_URL to the https address',
    );
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
      await drainAndClose(listening, config.shutdownGrace);
      await composed.close();
      logger.info('keyward stopped');
    })();
    return closing;
  };
  return { url, close };
}

/** Whether browsers keep a Secure cookie from this address: https, or plain http on loopback. */
function cookieCanBeSecure(publicUrl: string): boolean {
  const { protocol, hostname } = new URL(publicUrl);
  return protocol === 'https:' || /^((.+\.)?localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(hostname);
}

/** How long new requests are answered 503 before the server closes its idle connections. */
const DRAIN_MS = 500;

/**
 * Graceful close: new requests (also on open keep-alive connections) get 503 with
 * `Connection: close` while those already received finish; after a short drain the listener and
 * the idle connections close; what is still open after `graceMs` is cut.
 */
async function drainAndClose(app: FastifyInstance, graceMs: number): Promise<void> {
  app.drain.start();
  await new Promise((resolve) => setTimeout(resolve, DRAIN_MS));
  const cut = setTimeout(() => app.server.closeAllConnections(), Math.max(graceMs - DRAIN_MS, 0));
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
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
