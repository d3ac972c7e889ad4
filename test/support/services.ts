/**
 * Which external services the tests may use. A suite whose service is missing is skipped loudly;
 * under CI (CI=true) a missing service is a failure, never a skip.
 */
import { randomBytes } from 'node:crypto';

const warned = new Set<string>();

function serviceUrl(variable: string, what: string): string | undefined {
  const url = process.env[variable];
  if (url) return url;
  if (process.env.CI === 'true') {
    throw new Error(`${variable} is not set: under CI the ${what} suites must run, not be skipped`);
  }
  if (!warned.has(variable)) {
    warned.add(variable);
    console.warn(`\n*** SKIPPED: ${what} suites (set ${variable} to run them) ***\n`);
  }
  return undefined;
}

export const testDatabaseUrl = (): string | undefined =>
  serviceUrl('KEYWARD_TEST_DATABASE_URL', 'PostgreSQL');

export const testRedisUrl = (): string | undefined => serviceUrl('KEYWARD_TEST_REDIS_URL', 'Redis');

/** A name unique to this test run, for PostgreSQL schemas and Redis key prefixes. */
export const uniqueName = (base: string): string =>
  `${base}_${process.pid}_${randomBytes(4).toString('hex')}`;
