/** `keyward scopes`: the scope catalogue this configuration serves (KEYWARD_SCOPES, or the built-in). */
import type { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { presentCatalogue } from '../contract/scopes.ts';
import { type OutputOptions, print, table } from './output.ts';

export function registerScopesCommand(program: Command): void {
  program
    .command('scopes')
    .description('list the scope catalogue: every resource, and what read and write allow')
    .option('--scopes-file <path>', 'a catalogue file (overrides KEYWARD_SCOPES)')
    .option('--json', 'print one JSON object')
    .action((opts: OutputOptions & { scopesFile?: string }) => {
      const config = loadConfig(process.env, { scopesFile: opts.scopesFile });
      const view = presentCatalogue(config.catalogue);
      print(opts, { demo_api: config.catalogue.demoApi, ...view }, () =>
        table(
          ['SCOPE', 'ALLOWS'],
          view.resources.flatMap((r) => [
            [r.read.scope, r.read.description],
            [r.write.scope, r.write.description],
          ]),
        ),
      );
    });
}
