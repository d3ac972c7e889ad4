/**
 * The invariants every answer must keep, whatever was sent: below 500; a non-2xx (other than a
 * redirect or 304) is the error envelope with a catalogue code and that code's status; no known
 * secret in the headers or the body, except what a 2xx may show (stored data, a session's CSRF token).
 */
import { errorEnvelope } from '../../src/contract/envelopes.ts';
import { ERRORS } from '../../src/core/errors.ts';
import type { SecretBook } from './secrets.ts';

export interface Judged {
  status: number;
  headers: Record<string, string>;
  body: string;
  method: string;
  /** Whether the request was one any client library could send (it must get an answer). */
  wellFormed: boolean;
}

const CODES = ERRORS as Record<string, { status: number }>;

/** Why the body is not the error envelope, or undefined when it is. */
export function envelopeProblem(
  status: number,
  contentType: string | undefined,
  body: string,
): string | undefined {
  if (!/^application\/json\b/.test(contentType ?? ''))
    return `content-type ${contentType ?? '(none)'}, not JSON`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'body is not JSON';
  }
  if (parsed === null || typeof parsed !== 'object' || Object.keys(parsed).join() !== 'error')
    return 'not {"error": …}';
  if (!errorEnvelope.safeParse(parsed).success)
    return 'does not match the contract (src/contract/envelopes.ts)';
  const error = (parsed as { error: unknown }).error as Record<string, unknown> | null;
  if (error === null || typeof error !== 'object') return 'error is not an object';
  const extra = Object.keys(error).filter((k) => !['code', 'message', 'details'].includes(k));
  if (extra.length > 0) return `error has ${extra.join(', ')}`;
  if (typeof error.code !== 'string' || !CODES[error.code])
    return `code ${String(error.code)} is not in the catalogue`;
  if (CODES[error.code]!.status !== status)
    return `code ${error.code} is ${CODES[error.code]!.status}, not ${status}`;
  if (typeof error.message !== 'string' || error.message.length === 0) return 'message is missing or empty';
  if (
    'details' in error &&
    (error.details === null || typeof error.details !== 'object' || Array.isArray(error.details))
  )
    return 'details is not an object';
  if (/\bat .+\(.+:\d+:\d+\)|node_modules|SQLITE_|syntax error at or near/.test(body))
    return 'body shows a stack trace or SQL';
  return undefined;
}

/** Every broken invariant of one answer (empty when it is fine). */
export function problemsOf(answer: Judged, book: SecretBook): string[] {
  const problems: string[] = [];
  const { status, body } = answer;
  if (status === 0) {
    if (answer.wellFormed) problems.push('no answer');
    return problems;
  }
  if (status >= 500) problems.push(`status ${status}`);
  const isError = status >= 400;
  if (isError && answer.method !== 'HEAD') {
    const problem =
      body.length === 0 ? 'empty body' : envelopeProblem(status, answer.headers['content-type'], body);
    if (problem) problems.push(`not the error envelope: ${problem}`);
  }
  const success = status >= 200 && status < 300;
  const headerText = Object.entries(answer.headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
  for (const where of ['headers', 'body'] as const) {
    const shown = book.shownIn(where === 'body' ? body : headerText);
    for (const secret of shown) {
      const allowed = success && (secret.kind === 'csrf' || book.stored.has(secret.value));
      if (!allowed) problems.push(`${where} show ${secret.label}`);
    }
  }
  return problems;
}
