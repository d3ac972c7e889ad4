/** `keyward key …`: mint, list and revoke API keys from the command line. */

import { type Command, InvalidArgumentError } from 'commander';
import { CLI_ACTOR } from '../audit/record.ts';
import { parseDuration, parseRateLimit } from '../core/durations.ts';
import { KeywardError } from '../core/errors.ts';
import { redactSecrets } from '../core/redact.ts';
import { API_KEY_SCOPES, type ApiKeyScope } from '../core/scopes.ts';
import { createApiKey, isApiKeyScope } from '../credentials/api-keys.ts';
import { revokeCredential } from '../credentials/lifecycle.ts';
import { type PresentedCredential, presentCredential } from '../credentials/present.ts';
import type { Storage } from '../storage/index.ts';
import type { CredentialRow } from '../storage/repositories/credentials.ts';
import { type ConnectionOptions, nonEmpty, withCommandContext, withCommonOptions } from './context.ts';
import { type OutputOptions, orDash, print, table } from './output.ts';

interface CreateOptions extends ConnectionOptions, OutputOptions {
  workspace: string;
  name: string;
  scope: ApiKeyScope;
  expiresIn?: number;
  rateLimit?: string;
  description?: string;
}

interface ListOptions extends ConnectionOptions, OutputOptions {
  workspace: string;
}

function scopeArgument(value: string): ApiKeyScope {
  if (!isApiKeyScope(value)) throw new InvalidArgumentError(`Expected ${API_KEY_SCOPES.join(' or ')}.`);
  return value;
}

function durationArgument(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined)
    throw new InvalidArgumentError('Expected a duration like 30d (<n> then s, m, h or d).');
  return ms;
}

function rateLimitArgument(value: string): string {
  if (!parseRateLimit(value))
    throw new InvalidArgumentError('Expected <n>/<window>, like 1000/h, 5/m or 50000/1d.');
  return value;
}

export function registerKeyCommands(program: Command): void {
  const key = program.command('key').description('manage API keys');

  withCommonOptions(
    key
      .command('create')
      .description('mint an API key (its secret is printed once)')
      .requiredOption('--workspace <id>', 'workspace id (ws_…)')
      .requiredOption('--name <name>', 'label shown in lists', nonEmpty)
      .requiredOption('--scope <scope>', API_KEY_SCOPES.join(' or '), scopeArgument)
      .option('--expires-in <duration>', 'lifetime, e.g. 30d', durationArgument)
      .option('--rate-limit <limit>', "replaces the plan's key limit, e.g. 1000/h", rateLimitArgument)
      .option('--description <text>', 'what the key is for'),
  ).action((opts: CreateOptions) =>
    withCommandContext(opts, async ({ credentials }) => {
      const now = credentials.clock.now();
      const issued = await createApiKey(
        credentials,
        {
          workspaceId: opts.workspace,
          name: opts.name,
          scope: opts.scope,
          description: opts.description,
          expiresAt: opts.expiresIn === undefined ? null : now + opts.expiresIn,
          rateLimit: opts.rateLimit,
        },
        CLI_ACTOR,
      );
      const presented = presentCredential(issued.credential, issued.secrets, now);
      print(opts, { ...presented, secret: issued.secret }, () =>
        [
          `Created API key ${presented.id} "${presented.name}" in workspace ${presented.workspace_id}`,
          `  scope ${presented.scopes.join(' ')}, expires ${orDash(presented.expires_at)}, rate limit ${presented.rate_limit ?? 'plan default'}`,
          '',
          `  ${issued.secret}`,
          '',
          'Store it now, it will not be shown again.',
        ].join('\n'),
      );
    }),
  );

  withCommonOptions(
    key
      .command('list')
      .description('list the API keys of a workspace')
      .requiredOption('--workspace <id>', 'workspace id (ws_…)'),
  ).action((opts: ListOptions) =>
    withCommandContext(opts, async ({ storage, credentials }) => {
      if (!(await storage.workspaces.get(opts.workspace))) {
        throw new KeywardError('ERR_NOT_FOUND', `workspace ${opts.workspace} not found`);
      }
      const keys = await listKeys(storage, opts.workspace, credentials.clock.now());
      print(opts, { data: keys }, () =>
        keys.length === 0
          ? `No API keys in workspace ${opts.workspace}.`
          : table(
              ['ID', 'NAME', 'SCOPES', 'STATUS', 'KEY', 'EXPIRES', 'LAST USED'],
              keys.map((k) => [
                k.id,
                k.name,
                k.scopes.join(' '),
                k.status,
                k.start === null ? '-' : `${k.prefix ?? ''}${k.start}…`,
                orDash(k.expires_at),
                orDash(k.last_used_at),
              ]),
            ),
      );
    }),
  );

  withCommonOptions(
    key.command('revoke').description('revoke an API key at once, for good').argument('<key-id>'),
  ).action((id: string, opts: ConnectionOptions & OutputOptions) =>
    withCommandContext(opts, async ({ storage, credentials }) => {
      const before = await findApiKey(storage, id);
      const row = await revokeCredential(credentials, before.workspace_id, id, CLI_ACTOR);
      const presented = presentCredential(
        row,
        await storage.credentials.secretsOf(id),
        credentials.clock.now(),
      );
      print(opts, presented, () =>
        before.revoked_at === null ? `Revoked API key ${id}.` : `API key ${id} was already revoked.`,
      );
    }),
  );
}

async function findApiKey(storage: Storage, id: string): Promise<CredentialRow> {
  const row = await storage.credentials.getById(id);
  if (row?.kind !== 'api_key') {
    // A secret given where an id belongs is never printed back (it would land in terminal scrollback).
    if (redactSecrets(id) !== id)
      throw new KeywardError(
        'ERR_NOT_FOUND',
        'that is a secret, not a key id: pass the key_… id (keyward key list)',
      );
    throw new KeywardError('ERR_NOT_FOUND', `API key ${id} not found`);
  }
  return row;
}

/** Every key of the workspace, newest first, paging through storage. */
async function listKeys(storage: Storage, workspaceId: string, now: number): Promise<PresentedCredential[]> {
  const keys: PresentedCredential[] = [];
  let after: string | undefined;
  do {
    const page = await storage.credentials.list(workspaceId, 'api_key', { limit: 100, after });
    const secrets = await storage.credentials.secretsOfEach(page.items.map((row) => row.id));
    for (const row of page.items) keys.push(presentCredential(row, secrets.get(row.id) ?? [], now));
    after = page.nextAfter ?? undefined;
  } while (after);
  return keys;
}
