/**
 * The two Redis connections of a process (commands, and a subscriber for the pub/sub channels),
 * opened so that an outage never stalls a request: no offline queue and no retries for commands
 * (a command on a lost connection fails at once and the caller's fallback decides), a bound on
 * every command, quick reconnects, and errors told to the outage log instead of printed by ioredis.
 */
import { Redis } from 'ioredis';
import type { OutageLog } from './outage-log.ts';

export interface RedisConnections {
  commands: Redis;
  subscriber: Redis;
  /** Resolves once both connections are ready, or false after `timeoutMs`. */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface RedisConnectionOptions {
  outages?: OutageLog | undefined;
  connectTimeoutMs?: number;
  /** Longest a command may wait for its reply (default 1 s). */
  commandTimeoutMs?: number;
}

// Reconnect quickly: recovery is noticed within a second of Redis answering again.
const retryStrategy = (attempt: number) => Math.min(attempt * 100, 1_000);

export function openRedisConnections(url: string, options: RedisConnectionOptions = {}): RedisConnections {
  // Auto-pipelining: the rate-limit scripts of all requests handled in one event-loop turn go out in
  // one write (one syscall instead of one per request under load). Not for the subscriber.
  const commands = new Redis(url, {
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 1_000,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    retryStrategy,
  });
  // ioredis subscribes the subscriber again by itself after every reconnect.
  const subscriber = new Redis(url, {
    enableAutoPipelining: false,
    maxRetriesPerRequest: null,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    retryStrategy,
  });
  const outages = options.outages;
  for (const connection of [commands, subscriber]) {
    connection.on('error', (err: Error) => outages?.down('redis', err.message));
  }
  commands.on('ready', () => outages?.up('redis'));

  return {
    commands,
    subscriber,
    async ready(timeoutMs) {
      const isReady = (c: Redis) =>
        c.status === 'ready'
          ? Promise.resolve(true)
          : new Promise<boolean>((resolve) => {
              const timer = setTimeout(() => resolve(false), timeoutMs);
              c.once('ready', () => {
                clearTimeout(timer);
                resolve(true);
              });
            });
      const [a, b] = await Promise.all([isReady(commands), isReady(subscriber)]);
      return a && b;
    },
    async close() {
      subscriber.disconnect();
      await commands.quit().catch(() => commands.disconnect());
    },
  };
}

/**
 * Subscribes to `channel` once the subscriber is ready: at once, or after the first connection
 * completes; if Redis is away, when it is back (the process starts degraded rather than not at
 * all). Never during the handshake: a SUBSCRIBE sent then races ioredis's ready check (ioredis#2037).
 * After that, ioredis subscribes again by itself on every reconnect.
 */
export async function subscribe(subscriber: Redis, channel: string): Promise<void> {
  if (subscriber.status === 'ready' || (await firstConnection(subscriber))) {
    await subscriber.subscribe(channel);
    return;
  }
  subscriber.once('ready', () => void subscriber.subscribe(channel).catch(() => {}));
}

const FIRST_CONNECTION_MS = 5_000;

/** True when a connection still making its first attempt becomes ready; false once it fails. */
function firstConnection(connection: Redis): Promise<boolean> {
  if (!['wait', 'connecting', 'connect'].includes(connection.status)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const finish = (ready: boolean) => {
      clearTimeout(timer);
      connection.off('ready', onReady);
      connection.off('error', onFailure);
      connection.off('close', onFailure);
      resolve(ready);
    };
    const onReady = () => finish(true);
    const onFailure = () => finish(false);
    const timer = setTimeout(onFailure, FIRST_CONNECTION_MS);
    connection.once('ready', onReady);
    connection.once('error', onFailure);
    connection.once('close', onFailure);
  });
}
