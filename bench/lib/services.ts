/** PostgreSQL and Redis for the rows that need them: reachability, a private schema, cleanup. */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

export const redisUrl = (): string =>
  process.env.BENCH_REDIS_URL ?? process.env.KEYWARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const postgresUrl = (): string =>
  process.env.BENCH_DATABASE_URL ??
  process.env.KEYWARD_TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';

/** Why Redis cannot be used, or undefined when it answers. */
export async function redisProblem(url: string): Promise<string | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // ioredis rejects with "Connection is closed"; the 'error' event carries the reason (ECONNREFUSED…).
  let reason: string | undefined;
  redis.on('error', (err: Error) => {
    reason ??= err.message;
  });
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (err) {
    return `redis unreachable at ${url}: ${reason ?? (err as Error).message}`;
  } finally {
    redis.disconnect();
  }
}

export interface RedisForBench {
  url: string;
  /** Set when the configured Redis did not answer and a private redis-server was started instead. */
  privateServer?: string;
  /** Why the Redis rows cannot run, if they cannot. */
  problem?: string;
  stop(): Promise<void>;
}

/**
 * The configured Redis, or, when it does not answer and `redis-server` is installed, a private one on
 * a free port (no persistence) for the length of the run, so the Redis rows still measure something.
 */
export async function redisForBench(url: string, port: number): Promise<RedisForBench> {
  const problem = await redisProblem(url);
  if (!problem) return { url, stop: async () => {} };
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const failed = new Promise<void>((resolve) => child.once('error', () => resolve()));
  // Never left behind, even when the run fails half-way.
  process.once('exit', () => child.kill('SIGTERM'));
  const own = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  };
  for (let i = 0; i < 50; i++) {
    const settled = await Promise.race([
      failed.then(() => 'failed'),
      new Promise((r) => setTimeout(() => r('wait'), 100)),
    ]);
    if (settled === 'failed') return { url, problem, stop: async () => {} };
    if (!(await redisProblem(own)))
      return { url: own, privateServer: `${problem}; used a private redis-server on port ${port}`, stop };
  }
  await stop();
  return { url, problem, stop: async () => {} };
}

/** Deletes the rate-limit counters of the bench's credentials and workspace (`keyward:rl:…`). */
export async function clearRedisCounters(url: string, ids: readonly string[]): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    for (const id of ids) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `keyward:rl:*${id}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    await redis.quit();
  }
}

export interface BenchSchema {
  /** The URL with `options=-c search_path=<schema>`, for the server and the seeder. */
  url: string;
  schema: string;
  drop(): Promise<void>;
}

/** Creates a schema of its own in the PostgreSQL database, so the bench never touches other data. */
export async function createSchema(baseUrl: string): Promise<BenchSchema> {
  const schema = `kwbench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const client = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    await client.query(`create schema ${schema}`);
  } finally {
    await client.end();
  }
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      try {
        await c.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await c.end();
      }
    },
  };
}
