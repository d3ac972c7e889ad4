/** The soak's command line (commander): how long, against which database and Redis, at what rate. */
import { Command, InvalidArgumentError } from 'commander';

export interface SoakOptions {
  /** Length of the measured workload (setup and the final drain come on top). */
  durationMs: number;
  /** `postgres://…`, or undefined for a fresh temporary SQLite file. */
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Requests per second offered (open loop). */
  rate: number;
}

export const MAX_MINUTES = 24 * 60;
export const MAX_RATE = 5_000;

const number = (name: string, min: number, max: number) => (text: string) => {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max)
    throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max}`);
  return value;
};

// An empty value (an unset variable in `--database-url "$VAR"`) means the default.
const postgresOnly = (text: string) => {
  if (text !== '' && !/^postgres(ql)?:\/\//.test(text))
    throw new InvalidArgumentError('expected postgres://… (leave it out for a temporary SQLite file)');
  return text;
};

const redisOnly = (text: string) => {
  if (text !== '' && !/^rediss?:\/\//.test(text)) throw new InvalidArgumentError('expected redis://…');
  return text;
};

export function parseOptions(argv: readonly string[]): SoakOptions {
  const program = new Command('soak')
    .description('Runs a real `keyward serve` under a bounded mixed load and judges it (scripts/soak.ts).')
    .option(
      '--minutes <n>',
      'length of the workload, fractions allowed',
      number('--minutes', 0.1, MAX_MINUTES),
      10,
    )
    .option(
      '--database-url <url>',
      'PostgreSQL to use (a schema of its own, dropped at the end); default: a temporary SQLite file',
      postgresOnly,
    )
    .option('--redis-url <url>', 'Redis for limits, caches and revocation (default: in-process)', redisOnly)
    .option('--rate <n>', 'requests per second offered', number('--rate', 1, MAX_RATE), 300)
    .allowExcessArguments(false);
  program.parse([...argv]);
  const o = program.opts<{ minutes: number; databaseUrl?: string; redisUrl?: string; rate: number }>();
  return {
    durationMs: Math.round(o.minutes * 60_000),
    databaseUrl: o.databaseUrl || undefined,
    redisUrl: o.redisUrl || undefined,
    rate: o.rate,
  };
}
