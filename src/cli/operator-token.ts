/** `keyward operator-token …`: mint (secret printed once), list and revoke the operator's backend tokens. */
import { type Command, InvalidArgumentError } from 'commander';
import { KeywardError } from '../core/errors.ts';
import { redactSecrets } from '../core/redact.ts';
import { createOperatorToken, presentOperatorToken, revokeOperatorToken } from '../operators/tokens.ts';
import type { OperatorAccess } from '../storage/schema.ts';
import { type ConnectionOptions, nonEmpty, withCommandContext, withCommonOptions } from './context.ts';
import { type OutputOptions, orDash, print, table } from './output.ts';

const ACCESS: readonly OperatorAccess[] = ['admin', 'verify'];

interface CreateOptions extends ConnectionOptions, OutputOptions {
  name: string;
  access: OperatorAccess;
}

function accessArgument(value: string): OperatorAccess {
  if (!(ACCESS as readonly string[]).includes(value))
    throw new InvalidArgumentError('Expected admin (the admin API and verify) or verify.');
  return value as OperatorAccess;
}

export function registerOperatorTokenCommands(program: Command): void {
  const token = program
    .command('operator-token')
    .description("manage the tokens of the operator's backend (admin API, key verification)");

  withCommonOptions(
    token
      .command('create')
      .description('mint an operator token (its secret is printed once)')
      .requiredOption('--name <name>', 'what the token is for (the audit log names it)', nonEmpty)
      .requiredOption('--access <access>', 'admin or verify', accessArgument),
  ).action((opts: CreateOptions) =>
    withCommandContext(opts, async ({ storage, credentials }) => {
      const { token: created, secret } = await createOperatorToken(
        storage,
        { name: opts.name, access: opts.access },
        credentials.clock.now(),
      );
      const out = { id: created.id, name: created.name, access: created.access, secret };
      print(opts, out, () =>
        [
          `Created operator token ${out.id} "${out.name}" with ${out.access} access`,
          '',
          `  ${secret}`,
          '',
          'Store it now, it will not be shown again.',
        ].join('\n'),
      );
    }),
  );

  withCommonOptions(token.command('list').description('list operator tokens (never their secrets)')).action(
    (opts: ConnectionOptions & OutputOptions) =>
      withCommandContext(opts, async ({ storage }) => {
        const tokens = (await storage.operatorTokens.list()).map(presentOperatorToken);
        print(opts, { data: tokens }, () =>
          tokens.length === 0
            ? 'No operator tokens.'
            : table(
                ['ID', 'NAME', 'ACCESS', 'TOKEN', 'CREATED', 'REVOKED'],
                tokens.map((t) => [
                  t.id,
                  t.name,
                  t.access,
                  `${t.start}…`,
                  t.created_at,
                  orDash(t.revoked_at),
                ]),
              ),
        );
      }),
  );

  withCommonOptions(
    token
      .command('revoke')
      .description('revoke an operator token for good (every instance refuses it within a second)')
      .argument('<token-id>', 'the opt_… id'),
  ).action((id: string, opts: ConnectionOptions & OutputOptions) =>
    withCommandContext(opts, async ({ storage, credentials }) => {
      // A secret given where an id belongs is never printed back (it would land in terminal scrollback).
      if (redactSecrets(id) !== id)
        throw new KeywardError(
          'ERR_NOT_FOUND',
          'that is a secret, not a token id: pass the opt_… id (keyward operator-token list)',
        );
      const before = await storage.operatorTokens.get(id);
      const row = await revokeOperatorToken(storage, id, credentials.clock.now());
      print(opts, presentOperatorToken(row), () =>
        before?.revoked_at === null
          ? `Revoked operator token ${id}.`
          : `Operator token ${id} was already revoked.`,
      );
    }),
  );
}
