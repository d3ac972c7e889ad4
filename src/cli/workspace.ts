/** `keyward workspace …`: create a workspace on a plan. */
import type { Command } from 'commander';
import { KeywardError } from '../core/errors.ts';
import { iso } from '../core/time.ts';
import { type ConnectionOptions, nonEmpty, withCommandContext, withCommonOptions } from './context.ts';
import { type OutputOptions, print } from './output.ts';

interface CreateOptions extends ConnectionOptions, OutputOptions {
  name: string;
  plan: string;
}

export function registerWorkspaceCommands(program: Command): void {
  const workspace = program.command('workspace').description('manage workspaces');

  withCommonOptions(
    workspace
      .command('create')
      .description('create a workspace')
      .requiredOption('--name <name>', 'display name', nonEmpty)
      .option('--plan <plan>', 'one of the configured plans', 'professional'),
  ).action((opts: CreateOptions) =>
    withCommandContext(opts, async ({ config, storage, credentials }) => {
      if (!config.plans.has(opts.plan)) {
        const known = [...config.plans.keys()].join(', ');
        throw new KeywardError('ERR_VALIDATION', `unknown plan "${opts.plan}" (plans: ${known})`);
      }
      const row = await storage.workspaces.create(
        { name: opts.name, plan: opts.plan },
        credentials.clock.now(),
      );
      const out = { id: row.id, name: row.name, plan: row.plan, created_at: iso(row.created_at) };
      print(opts, out, () => `Created workspace ${out.id} "${out.name}" on plan ${out.plan}.`);
    }),
  );
}
