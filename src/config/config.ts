/** The one configuration object: zod over environment variables and CLI flags, read once at start. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  buildCatalogue,
  catalogueFileSchema,
  DEFAULT_CATALOGUE,
  type ScopeCatalogue,
} from '../core/catalogue.ts';
import { parseDuration, parseRateLimit, type RateLimitSpec } from '../core/durations.ts';
import { type Plan, plansFileSchema, resolvePlans } from '../core/plans.ts';
import { defaultPublicUrl, frameAncestorsSchema, productNameSchema, publicUrlSchema } from './embedding.ts';

const prefixSchema = z
  .string()
  .regex(/^[a-z][a-z0-9]{0,15}_$/, 'a prefix is lowercase letters/digits ending in _');

const rateLimitSchema = z.string().transform((s, ctx) => {
  const spec = parseRateLimit(s);
  if (!spec) ctx.addIssue({ code: 'custom', message: `expected a rate limit like 100/m, got ${s}` });
  return spec as RateLimitSpec;
});

// A duration: `30s`, `5d`, or a bare number of milliseconds (`250`).
const durationSchema = z.union([
  z.number().int().positive(),
  z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().positive()),
  z.string().transform((s, ctx) => {
    const ms = parseDuration(s);
    if (ms === undefined)
      ctx.addIssue({ code: 'custom', message: `expected a duration like 30s or 5d, got ${s}` });
    return ms as number;
  }),
]);

const booleanSchema = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

// Digits only: `z.coerce` would read a blank PORT as 0 (a random port) and accept `1e3` or `0x50`.
const PORT_MESSAGE = 'expected a port number from 0 to 65535';
const portSchema = z.preprocess(
  (v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v),
  z.number({ error: PORT_MESSAGE }).int(PORT_MESSAGE).min(0, PORT_MESSAGE).max(65535, PORT_MESSAGE),
);

export const configSchema = z
  .object({
    port: portSchema.default(3000),
    host: z.string().default('127.0.0.1'),
    databaseUrl: z.string().default('sqlite:./data/keyward.db'),
    redisUrl: z.string().optional(),
    keyPrefix: prefixSchema.default('spk_'),
    tokenPrefix: prefixSchema.default('spi_'),
    serviceToken: z.string().min(16, 'KEYWARD_SERVICE_TOKEN must be at least 16 characters').optional(),
    adminToken: z.string().min(16, 'KEYWARD_ADMIN_TOKEN must be at least 16 characters').optional(),
    plansFile: z.string().optional(),
    scopesFile: z.string().optional(),
    upgradeUrl: z.url({ protocol: /^https?$/ }).optional(),
    // Embedding (docs/configuration.md): portal links, the operator's page framing the dashboard, its name.
    publicUrl: publicUrlSchema.optional(),
    frameAncestors: frameAncestorsSchema.default([]),
    productName: productNameSchema.default('Keyward'),
    authFailureLimit: rateLimitSchema.default(parseRateLimit('100/m')!),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    trustProxy: z
      .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
      .default(false),
    // Webhooks (docs/webhooks.md): destinations, when a failing endpoint is disabled, the worker.
    webhookAllowHttp: booleanSchema.default(false),
    webhookAllowPrivate: booleanSchema.default(false),
    webhookDisableAfter: durationSchema.default(5 * 86_400_000),
    webhookTimeout: durationSchema.default(10_000),
    webhookWorker: booleanSchema.default(true),
    // Faults (docs/operations.md): what a Redis outage does, and how long anything may wait.
    redisFailure: z.enum(['open', 'closed']).default('open'),
    dbConnectTimeout: durationSchema.default(5_000),
    dbStatementTimeout: durationSchema.default(10_000),
    dbIdleInTransactionTimeout: durationSchema.default(30_000),
    requestDeadline: durationSchema.default(15_000),
    headersTimeout: durationSchema.default(10_000),
    requestTimeout: durationSchema.default(30_000),
    shutdownGrace: durationSchema.default(10_000),
  })
  .refine((c) => c.headersTimeout <= c.requestTimeout, {
    // Node refuses a headers timeout longer than the request timeout that contains it.
    path: ['headersTimeout'],
    message: 'must not be longer than KEYWARD_REQUEST_TIMEOUT',
  });

export type ConfigInput = z.input<typeof configSchema>;
export type Config = Omit<z.output<typeof configSchema>, 'publicUrl'> & {
  /** KEYWARD_PUBLIC_URL, or `http://<HOST>:<PORT>`; never ends with a slash. */
  publicUrl: string;
  plans: Map<string, Plan>;
  catalogue: ScopeCatalogue;
};

export const ENV_NAMES: Record<keyof ConfigInput, string> = {
  port: 'PORT',
  host: 'HOST',
  databaseUrl: 'KEYWARD_DATABASE_URL',
  redisUrl: 'KEYWARD_REDIS_URL',
  keyPrefix: 'KEYWARD_KEY_PREFIX',
  tokenPrefix: 'KEYWARD_TOKEN_PREFIX',
  serviceToken: 'KEYWARD_SERVICE_TOKEN',
  adminToken: 'KEYWARD_ADMIN_TOKEN',
  plansFile: 'KEYWARD_PLANS',
  scopesFile: 'KEYWARD_SCOPES',
  upgradeUrl: 'KEYWARD_UPGRADE_URL',
  publicUrl: 'KEYWARD_PUBLIC_URL',
  frameAncestors: 'KEYWARD_FRAME_ANCESTORS',
  productName: 'KEYWARD_PRODUCT_NAME',
  authFailureLimit: 'KEYWARD_AUTH_FAILURE_LIMIT',
  logLevel: 'KEYWARD_LOG_LEVEL',
  trustProxy: 'KEYWARD_TRUST_PROXY',
  webhookAllowHttp: 'KEYWARD_WEBHOOK_ALLOW_HTTP',
  webhookAllowPrivate: 'KEYWARD_WEBHOOK_ALLOW_PRIVATE',
  webhookDisableAfter: 'KEYWARD_WEBHOOK_DISABLE_AFTER',
  webhookTimeout: 'KEYWARD_WEBHOOK_TIMEOUT',
  webhookWorker: 'KEYWARD_WEBHOOK_WORKER',
  redisFailure: 'KEYWARD_REDIS_FAILURE',
  dbConnectTimeout: 'KEYWARD_DB_CONNECT_TIMEOUT',
  dbStatementTimeout: 'KEYWARD_DB_STATEMENT_TIMEOUT',
  dbIdleInTransactionTimeout: 'KEYWARD_DB_IDLE_IN_TRANSACTION_TIMEOUT',
  requestDeadline: 'KEYWARD_REQUEST_DEADLINE',
  headersTimeout: 'KEYWARD_HEADERS_TIMEOUT',
  requestTimeout: 'KEYWARD_REQUEST_TIMEOUT',
  shutdownGrace: 'KEYWARD_SHUTDOWN_GRACE',
};

/** `keyward serve` takes every setting as a flag too: `databaseUrl` → `--database-url <value>`. */
export const flagOf = (field: string): string => `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Builds the config from the environment, with explicit values (flags, tests) taking precedence. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<ConfigInput> = {},
): Config {
  const fromEnv: Record<string, string> = {};
  for (const [field, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value !== undefined && value !== '') fromEnv[field] = value;
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const parsed = configSchema.safeParse({ ...fromEnv, ...defined });
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `${ENV_NAMES[i.path[0] as keyof ConfigInput] ?? i.path.join('.')}: ${i.message}`,
    );
    throw new Error(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return {
    ...parsed.data,
    publicUrl: parsed.data.publicUrl ?? defaultPublicUrl(parsed.data.host, parsed.data.port),
    plans: resolvePlans(readPlansFile(parsed.data.plansFile)),
    catalogue: readScopesFile(parsed.data.scopesFile),
  };
}

/** A JSON file's content, or an error naming the variable and the file. */
function readJson(variable: string, path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${variable}: cannot read ${path}: ${(err as Error).message}`);
  }
}

function readScopesFile(path: string | undefined): ScopeCatalogue {
  if (!path) return DEFAULT_CATALOGUE;
  const parsed = catalogueFileSchema.safeParse(readJson('KEYWARD_SCOPES', path));
  if (!parsed.success) {
    // A bad resource name is an `invalid_key` issue; its own message says what a name must be.
    const messageOf = (i: z.core.$ZodIssue) =>
      i.code === 'invalid_key' ? (i.issues[0]?.message ?? i.message) : i.message;
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${messageOf(i)}`);
    throw new Error(`KEYWARD_SCOPES: ${path} is not a valid scope catalogue:\n  ${lines.join('\n  ')}`);
  }
  return buildCatalogue(parsed.data);
}

function readPlansFile(path: string | undefined) {
  if (!path) return {};
  const parsed = plansFileSchema.safeParse(readJson('KEYWARD_PLANS', path));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`KEYWARD_PLANS: ${path} is not a valid plans file:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}
