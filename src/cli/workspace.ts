/** `keyward workspace …`: create a workspace on a plan, list them, change a plan (the operator's call). */
import type { Command } from 'commander';
import { setWorkspacePlan } from '../accounts/workspace-plan.ts';
import { CLI_ACTOR } from '../audit/record.ts';
import { KeywardError } from '../core/errors.ts';
import { iso } from '../core/time.ts';
import { type ConnectionOptions, nonEmpty, withCommandContext, withCommonOptions } from './context.ts';
import { type OutputOptions, print, table } from './output.ts';

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

  withCommonOptions(workspace.command('list').description('list every workspace')).action(
    (opts: ConnectionOptions & OutputOptions) =>
      withCommandContext(opts, async ({ storage }) => {
        const rows = (await storage.workspaces.list()).map((w) => ({
          id: w.id,
          name: w.name,
          plan: w.plan,
          created_at: iso(w.created_at),
        }));
        print(opts, { data: rows }, () =>
          table(
            ['ID', 'NAME', 'PLAN', 'CREATED'],
            rows.map((w) => [w.id, w.name, w.plan, w.created_at]),
          ),
        );
      }),
  );

  withCommonOptions(
    workspace
      .command('set-plan')
      .description('move a workspace to another plan (effective on its next request, on every instance)')
      .argument('<workspace-id>', 'the ws_… id')
      .argument('<plan>', 'one of the configured plans'),
  ).action((workspaceId: string, plan: string, opts: ConnectionOptions & OutputOptions) =>
    withCommandContext(opts, async ({ config, storage, credentials }) => {
      const row = await setWorkspacePlan(
        { storage, clock: credentials.clock, plans: config.plans, notify: credentials.notify },
        workspaceId,
        plan,
        CLI_ACTOR,
      );
      const out = { id: row.id, name: row.name, plan: row.plan };
      print(opts, out, () => `Workspace ${out.id} "${out.name}" is on plan ${out.plan}.`);
    }),
  );
}
