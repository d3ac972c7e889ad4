/**
 * What the HTTP suites share: the dialect and limiter matrices, an app per suite, requests with a
 * chosen client address, and the one assertion every error answer must pass (the envelope).
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect } from 'vitest';
import { openStorage, type Storage } from '../../src/storage/index.ts';
import { startTestApp, type TestApp, type TestAppOptions } from '../support/app.ts';
import { testRedisUrl, uniqueName } from '../support/services.ts';
import type { CreateDatabase, TestDatabase } from '../support/storages.ts';

export { type CreateDatabase, describeDialects } from '../support/storages.ts';

export interface LimiterBackend {
  name: 'memory' | 'redis';
  redisUrl: string | undefined;
}

/** Memory always; Redis when KEYWARD_TEST_REDIS_URL is set (otherwise skipped loudly). */
export function limiterBackends(): { name: LimiterBackend['name']; backend: LimiterBackend | undefined }[] {
  const redisUrl = testRedisUrl();
  return [
    { name: 'memory', backend: { name: 'memory', redisUrl: undefined } },
    { name: 'redis', backend: redisUrl ? { name: 'redis', redisUrl } : undefined },
  ];
}

/** Removes every Redis key under `prefix` (a test app's namespace). */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

/** A live app over a fresh database for the enclosing describe; the getter is valid inside tests. */
export function useApp(create: CreateDatabase, options: Omit<TestAppOptions, 'db'> = {}): () => TestApp {
  let db: TestDatabase | undefined;
  let t: TestApp | undefined;
  const redisPrefix = options.redisUrl ? (options.redisPrefix ?? `${uniqueName('kwtest')}:`) : undefined;
  beforeAll(async () => {
    db = await create();
    t = await startTestApp({ db, ...options, redisPrefix });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    if (options.redisUrl && redisPrefix) await deleteRedisKeys(options.redisUrl, redisPrefix);
  });
  return () => {
    if (!t) throw new Error('the app is not started (beforeAll failed?)');
    return t;
  };
}

export interface Request {
  method: InjectOptions['method'];
  url: string;
  secret?: string | undefined;
  body?: unknown;
  headers?: Record<string, string>;
  /** The client address the server sees (default 127.0.0.1). */
  ip?: string;
}

/** Like TestApp.call, with extra headers and a client address. */
export function send(t: TestApp, r: Request): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {};
  if (r.secret) headers.authorization = `Bearer ${r.secret}`;
  if (r.body !== undefined) headers['content-type'] = 'application/json';
  return t.app.inject({
    method: r.method,
    url: r.url,
    headers: { ...headers, ...r.headers },
    payload: r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : JSON.stringify(r.body),
    remoteAddress: r.ip,
  });
}

export interface ErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Asserts the status and the envelope `{error: {code, message[, details]}}` with nothing else in it. */
export function expectError(res: LightMyRequestResponse, status: number, code: string): ErrorBody {
  expect({ status: res.statusCode, body: res.body }).toMatchObject({ status });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json() as { error: ErrorBody };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  const extra = Object.keys(body.error).filter((k) => !['code', 'message', 'details'].includes(k));
  expect(extra).toEqual([]);
  if ('details' in body.error) expect(typeof body.error.details).toBe('object');
  return body.error;
}

/** Parses a success answer after checking its status. */
export function expectData<T = Record<string, unknown>>(res: LightMyRequestResponse, status = 200): T {
  expect({ status: res.statusCode, body: res.body }).toMatchObject({ status });
  return (res.json() as { data: T }).data;
}

/**
 * A storage whose database refuses connections (nothing listens on port 1): every query fails the way
 * an unreachable PostgreSQL does. Opening it connects to nothing until a query runs.
 */
export function unreachableStorage(): Storage {
  return openStorage('postgres://keyward@127.0.0.1:1/unreachable');
}

export const MINUTE = 60_000;
