/** `keyward user …`: add a dashboard user to a workspace, the password read from stdin (never an argument). */
import { type Command, InvalidArgumentError } from 'commander';
import { createUser, emailSchema, passwordSchema, presentUser, ROLES } from '../accounts/users.ts';
import { CLI_ACTOR } from '../audit/record.ts';
import { KeywardError } from '../core/errors.ts';
import type { Role } from '../storage/schema.ts';
import { type ConnectionOptions, withCommandContext, withCommonOptions } from './context.ts';
import { type OutputOptions, print } from './output.ts';

interface CreateOptions extends ConnectionOptions, OutputOptions {
  workspace: string;
  email: string;
  role: Role;
}

function roleArgument(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`Expected ${ROLES.join(', ')}.`);
  return value as Role;
}

function emailArgument(value: string): string {
  const parsed = emailSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError('Expected an email address.');
  return parsed.data;
}

/**
 * The first line of stdin without its line ending. On a terminal it is typed without echo; from a pipe
 * only the first line is taken, so `printf '%s\n' "$PW" | keyward user create …` works.
 */
export async function readPassword(input: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (input.isTTY) return readHidden(input);
  let text = '';
  input.setEncoding('utf8');
  for await (const chunk of input) {
    text += chunk as string;
    if (text.includes('\n')) break;
  }
  input.destroy();
  return text.split('\n')[0]!.replace(/\r$/, '');
}

/** Reads a line from a terminal in raw mode, so nothing typed is shown. */
function readHidden(input: NodeJS.ReadStream): Promise<string> {
  input.setRawMode(true);
  input.setEncoding('utf8');
  process.stderr.write('Password: ');
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(text);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new KeywardError('ERR_BAD_REQUEST', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    input.on('data', onData);
    input.resume();
  });
}

export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('manage dashboard users');

  withCommonOptions(
    user
      .command('create')
      .description('add a user to a workspace (the password is read from stdin)')
      .requiredOption('--workspace <id>', 'workspace id (ws_…)')
      .requiredOption('--email <email>', 'sign-in email, unique across the installation', emailArgument)
      .requiredOption('--role <role>', ROLES.join(', '), roleArgument),
  ).action(async (opts: CreateOptions) => {
    // Read and check the password before opening the database: a bad one touches nothing.
    const password = await readPassword();
    if (password === '') {
      throw new KeywardError(
        'ERR_VALIDATION',
        'no password on stdin: pipe it in, e.g. printf \'%s\\n\' "$PASSWORD" | keyward user create …',
      );
    }
    const checked = passwordSchema.safeParse(password);
    if (!checked.success) {
      throw new KeywardError('ERR_VALIDATION', `the password must have ${checked.error.issues[0]?.message}`);
    }
    await withCommandContext(opts, async ({ storage, credentials }) => {
      const row = await createUser(
        storage,
        { workspaceId: opts.workspace, email: opts.email, password, role: opts.role },
        CLI_ACTOR,
        credentials.clock.now(),
      );
      const out = presentUser(row);
      print(
        opts,
        out,
        () => `Created ${out.role} ${out.email} (${out.id}) in workspace ${out.workspace_id}.`,
      );
    });
  });
}
