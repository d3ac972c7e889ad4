/** Configuration: defaults from DESIGN.md, env parsing with clear errors, and the plans file. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'keyward-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function plansFile(content: string): string {
  const path = join(dir, `plans-${++files}.json`);
  writeFileSync(path, content);
  return path;
}

describe('defaults', () => {
  it('with an empty environment, match DESIGN.md', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: 'sqlite:./data/keyward.db',
      keyPrefix: 'spk_',
      tokenPrefix: 'spi_',
      trustProxy: false,
      authFailureLimit: { limit: 100, windowMs: 60_000 },
    });
    expect(config.redisUrl).toBeUndefined();
    expect(config.serviceToken).toBeUndefined();
    expect(config.plansFile).toBeUndefined();
    expect([...config.plans.keys()].sort()).toEqual(['enterprise', 'free', 'professional']);
  });

  it('an empty variable counts as unset', () => {
    const config = loadConfig({ PORT: '', KEYWARD_KEY_PREFIX: '', KEYWARD_REDIS_URL: '' });
    expect(config).toMatchObject({ port: 3000, keyPrefix: 'spk_' });
    expect(config.redisUrl).toBeUndefined();
  });

  it('does not read process.env when given an environment', () => {
    const saved = process.env.PORT;
    process.env.PORT = '4999';
    try {
      expect(loadConfig({}).port).toBe(3000);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });
});

describe('environment variables', () => {
  it('reads each documented variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      KEYWARD_DATABASE_URL: 'postgres://db/keyward',
      KEYWARD_REDIS_URL: 'redis://cache:6379',
      KEYWARD_KEY_PREFIX: 'acme_',
      KEYWARD_TOKEN_PREFIX: 'acmei_',
      KEYWARD_SERVICE_TOKEN: 'a-service-token-of-length',
      KEYWARD_AUTH_FAILURE_LIMIT: '20/m',
      KEYWARD_TRUST_PROXY: 'true',
      KEYWARD_LOG_LEVEL: 'warn',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgres://db/keyward',
      redisUrl: 'redis://cache:6379',
      keyPrefix: 'acme_',
      tokenPrefix: 'acmei_',
      serviceToken: 'a-service-token-of-length',
      authFailureLimit: { limit: 20, windowMs: 60_000 },
      trustProxy: true,
      logLevel: 'warn',
    });
  });

  it('explicit values (flags) take precedence over the environment; undefined ones do not', () => {
    const config = loadConfig({ PORT: '8080', HOST: '0.0.0.0' }, { port: 9090, host: undefined });
    expect(config.port).toBe(9090);
    expect(config.host).toBe('0.0.0.0');
  });

  it.each(['0', '1', '65535'])('PORT=%s is accepted', (port) => {
    expect(loadConfig({ PORT: port }).port).toBe(Number(port));
  });

  it.each(['abc', '-1', '65536', '80.5', ' ', '0x50', '1e3', '80 80'])(
    'PORT=%j is an error naming PORT',
    (port) => {
      expect(() => loadConfig({ PORT: port })).toThrow(/PORT/);
    },
  );

  it.each(['sk_', 'acme_', 'a1_', 'abcdefghijklmnop_'])('KEYWARD_KEY_PREFIX=%s is accepted', (prefix) => {
    expect(loadConfig({ KEYWARD_KEY_PREFIX: prefix }).keyPrefix).toBe(prefix);
  });

  it.each(['sk', 'SK_', 'sk-', '_', '1sk_', 'sk__', 'a-b_', 'abcdefghijklmnopq_', 'sk_ '])(
    'KEYWARD_KEY_PREFIX=%j is an error naming the variable',
    (prefix) => {
      expect(() => loadConfig({ KEYWARD_KEY_PREFIX: prefix })).toThrow(/KEYWARD_KEY_PREFIX/);
    },
  );

  it('a bad token prefix names KEYWARD_TOKEN_PREFIX', () => {
    expect(() => loadConfig({ KEYWARD_TOKEN_PREFIX: 'Bad' })).toThrow(/KEYWARD_TOKEN_PREFIX/);
  });

  it('a short service token is refused rather than accepted as guessable', () => {
    expect(() => loadConfig({ KEYWARD_SERVICE_TOKEN: 'short' })).toThrow(/KEYWARD_SERVICE_TOKEN.*16/);
  });

  it('a bad auth failure limit is an error naming the variable and the value', () => {
    expect(() => loadConfig({ KEYWARD_AUTH_FAILURE_LIMIT: 'lots' })).toThrow(
      /KEYWARD_AUTH_FAILURE_LIMIT.*lots/,
    );
  });

  it.each([
    ['true', true],
    ['false', false],
  ])('KEYWARD_TRUST_PROXY=%s is %s', (text, value) => {
    expect(loadConfig({ KEYWARD_TRUST_PROXY: text }).trustProxy).toBe(value);
  });

  it('every problem is reported at once, one line per variable', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'x', KEYWARD_KEY_PREFIX: 'X', KEYWARD_LOG_LEVEL: 'loud' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^invalid configuration:/);
    expect(message).toMatch(/\n {2}PORT: /);
    expect(message).toMatch(/\n {2}KEYWARD_KEY_PREFIX: /);
    expect(message).toMatch(/\n {2}KEYWARD_LOG_LEVEL: /);
  });
});

describe('faults and timeouts (docs/operations.md)', () => {
  it('default to Redis failing open and bounded waits everywhere', () => {
    expect(loadConfig({})).toMatchObject({
      redisFailure: 'open',
      dbConnectTimeout: 5_000,
      dbStatementTimeout: 10_000,
      dbIdleInTransactionTimeout: 30_000,
      requestDeadline: 15_000,
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      shutdownGrace: 10_000,
    });
  });

  it('take durations or bare milliseconds', () => {
    const config = loadConfig({ KEYWARD_DB_STATEMENT_TIMEOUT: '2s', KEYWARD_REQUEST_DEADLINE: '750' });
    expect(config.dbStatementTimeout).toBe(2_000);
    expect(config.requestDeadline).toBe(750);
  });

  it('refuse an unknown failure mode and a headers timeout longer than the request timeout', () => {
    expect(() => loadConfig({ KEYWARD_REDIS_FAILURE: 'maybe' })).toThrow(/KEYWARD_REDIS_FAILURE/);
    expect(() => loadConfig({ KEYWARD_HEADERS_TIMEOUT: '40s' })).toThrow(
      /KEYWARD_HEADERS_TIMEOUT: must not be longer than KEYWARD_REQUEST_TIMEOUT/,
    );
    expect(() => loadConfig({ KEYWARD_SHUTDOWN_GRACE: '0s' })).toThrow(/KEYWARD_SHUTDOWN_GRACE/);
  });
});

describe('KEYWARD_PLANS', () => {
  it('merges the file over the built-ins: same name replaces, new names are added', () => {
    const path = plansFile(
      JSON.stringify({
        professional: { api_access: true, key_rate_limit: '50/m', workspace_rate_limit: '500/m' },
        free: { api_access: false },
        startup: { api_access: true, key_rate_limit: '10/s' },
      }),
    );
    const plans = loadConfig({ KEYWARD_PLANS: path }).plans;
    expect(plans.get('professional')).toEqual({
      name: 'professional',
      apiAccess: true,
      keyLimit: { limit: 50, windowMs: 60_000 },
      workspaceLimit: { limit: 500, windowMs: 60_000 },
    });
    expect(plans.get('startup')).toMatchObject({ apiAccess: true, keyLimit: { limit: 10, windowMs: 1_000 } });
    expect(plans.get('enterprise')).toMatchObject({ apiAccess: true, keyLimit: { limit: 10_000 } });
    expect(plans.get('free')!.apiAccess).toBe(false);
  });

  it('an invalid plans file is a clear error naming the file and the field', () => {
    const path = plansFile(JSON.stringify({ professional: { api_access: true, key_rate_limit: 'fast' } }));
    expect(() => loadConfig({ KEYWARD_PLANS: path })).toThrow(
      new RegExp(`KEYWARD_PLANS: ${path} is not a valid plans file:[\\s\\S]*professional\\.key_rate_limit`),
    );
  });

  it('a misspelt field in a plan is an error, not a silent default', () => {
    const path = plansFile(JSON.stringify({ professional: { api_access: true, key_ratelimit: '5/m' } }));
    expect(() => loadConfig({ KEYWARD_PLANS: path })).toThrow(/key_ratelimit/);
  });

  it('a file that is not JSON is a clear error', () => {
    const path = plansFile('{ professional: yes }');
    expect(() => loadConfig({ KEYWARD_PLANS: path })).toThrow(
      new RegExp(`KEYWARD_PLANS: cannot read ${path}`),
    );
  });

  it('a missing file is a clear error', () => {
    const path = join(dir, 'nope.json');
    expect(() => loadConfig({ KEYWARD_PLANS: path })).toThrow(/KEYWARD_PLANS: cannot read .*nope\.json/);
  });

  it('a JSON array is not a plans file', () => {
    const path = plansFile('[]');
    expect(() => loadConfig({ KEYWARD_PLANS: path })).toThrow(/not a valid plans file/);
  });
});
