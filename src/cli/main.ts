/** The `keyward` command line: one commander program, one file per command group. */
import { Command, CommanderError } from 'commander';
import { type ConfigInput, ENV_NAMES, flagOf, loadConfig } from '../config/config.ts';
import { redactSecrets } from '../core/redact.ts';
import { serveUntilSignal } from '../server/serve.ts';
import { openStorage } from '../storage/index.ts';
import { registerKeyCommands } from './key.ts';
import { registerOperatorTokenCommands } from './operator-token.ts';
import { registerScopesCommand } from './scopes.ts';
import { registerUserCommands } from './user.ts';
import { registerWorkerCommand } from './worker.ts';
import { registerWorkspaceCommands } from './workspace.ts';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('keyward')
    .description('API keys and private integrations, self-hosted')
    .exitOverride()
    // Usage errors read like every other error: `keyward: <message>` on stderr.
    .configureOutput({
      outputError: (text, write) => write(`keyward: ${redactSecrets(text.replace(/^error: /, ''))}`),
    });

  const serveCommand = program.command('serve').description('serve the API and dashboard');
  // Every setting is also a flag (flags win over the environment).
  for (const [field, env] of Object.entries(ENV_NAMES)) {
    serveCommand.option(`${flagOf(field)} <value>`, `overrides ${env}`);
  }
  serveCommand.action(async (opts: Record<string, string | undefined>) => {
    await serveUntilSignal(loadConfig(process.env, opts as Partial<ConfigInput>));
  });

  program
    .command('migrate')
    .description('bring the database schema up to date')
    .option('--database-url <url>', 'sqlite:PATH or postgres://…')
    .action(async (opts: { databaseUrl?: string }) => {
      const config = loadConfig(process.env, { databaseUrl: opts.databaseUrl });
      const storage = openStorage(config.databaseUrl);
      try {
        const applied = await storage.migrate();
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'already up to date');
      } finally {
        await storage.close();
      }
    });

  registerWorkspaceCommands(program);
  registerKeyCommands(program);
  registerUserCommands(program);
  registerWorkerCommand(program);
  registerScopesCommand(program);
  registerOperatorTokenCommands(program);

  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    // Commander has already printed its own message (or the help) to the right stream.
    if (err instanceof CommanderError) return err.exitCode;
    console.error(`keyward: ${redactSecrets(err instanceof Error ? err.message : String(err))}`);
    return 1;
  }
}
