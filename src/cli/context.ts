/** Opens what a one-shot command needs: the config, a migrated storage and a CredentialContext. */
import { type Command, InvalidArgumentError } from 'commander';
import { Redis } from 'ioredis';
import type { InvalidationMessage } from '../cache/invalidation-bus.ts';
import { type Config, loadConfig } from '../config/config.ts';
import { systemClock } from '../core/clock.ts';
import type { CredentialContext } from '../credentials/context.ts';
import { credentialContextFor } from '../server/credential-context.ts';
import { redisChannels } from '../server/redis-names.ts';
import { openStorage, type Storage } from '../storage/index.ts';

/** The channel `keyward serve` subscribes to, under the default Redis prefix it uses too. */
const INVALIDATION_CHANNEL = redisChannels().invalidations;

export interface ConnectionOptions {
  databaseUrl?: string | undefined;
}

/** The options every data command takes: where the database is and whether to print JSON. */
export function withCommonOptions(command: Command): Command {
  return command
    .option('--database-url <url>', 'sqlite:PATH or postgres://… (default: KEYWARD_DATABASE_URL)')
    .option('--json', 'print one JSON object on stdout');
}

/** An option value that must not be blank (names). */
export function nonEmpty(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('Must not be empty.');
  return value;
}

export interface CommandContext {
  config: Config;
  storage: Storage;
  credentials: CredentialContext;
}

/** Runs `fn` with an open context and always closes it, so the process can exit. */
export async function withCommandContext<T>(
  options: ConnectionOptions,
  fn: (ctx: CommandContext) => Promise<T>,
): Promise<T> {
  const config = loadConfig(process.env, { databaseUrl: options.databaseUrl });
  const storage = openStorage(config.databaseUrl);
  const publisher = config.redisUrl ? new RedisPublisher(config.redisUrl) : undefined;
  try {
    // A fresh checkout has no schema yet; migrating is a no-op once it is current.
    await storage.migrate();
    // Without Redis there is nothing to do: the change is already in the database invalidation log,
    // which every running server polls.
    const credentials = credentialContextFor(config, storage, systemClock, async (message) =>
      publisher?.publish(message),
    );
    return await fn({ config, storage, credentials });
  } finally {
    publisher?.close();
    await storage.close();
  }
}

/** Publishes invalidations for instant fan-out; a failure only costs latency, never the command. */
class RedisPublisher {
  private redis: Redis | undefined;
  private connectionError: Error | undefined;

  constructor(private readonly url: string) {}

  async publish(message: InvalidationMessage): Promise<void> {
    try {
      this.redis ??= this.connect();
      await this.redis.publish(INVALIDATION_CHANNEL, JSON.stringify(message));
    } catch (err) {
      // "Connection is closed" says little; the connection's own error says why.
      const cause = this.connectionError ?? err;
      const reason = cause instanceof Error ? cause.message : String(cause);
      process.stderr.write(
        `keyward: warning: could not publish to Redis (${reason}); servers still see the change within a second\n`,
      );
    }
  }

  close(): void {
    this.redis?.disconnect();
  }

  private connect(): Redis {
    const redis = new Redis(this.url, {
      connectTimeout: 2_000,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: true,
      retryStrategy: () => null,
      // After a refused connection ioredis keeps a timer this long alive, delaying the CLI's exit.
      disconnectTimeout: 100,
    });
    // Connection errors surface through publish(); without a listener ioredis would log them itself.
    redis.on('error', (err: Error) => {
      this.connectionError = err;
    });
    return redis;
  }
}
