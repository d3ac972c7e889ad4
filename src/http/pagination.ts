/** Opaque list cursors: the last id of a page, encoded so clients treat it as a token. */
import { KeywardError } from '../core/errors.ts';
import type { Page } from '../storage/page.ts';

const CURSOR_RE = /^[a-z]+_[0-9a-z]+$/;
const MAX_CURSOR_LENGTH = 200;

const badCursor = () =>
  new KeywardError('ERR_BAD_REQUEST', 'The cursor is not valid; use next_cursor from a list response.');

export function encodeCursor(id: string): string {
  return Buffer.from(`c1:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  if (cursor.length > MAX_CURSOR_LENGTH) throw badCursor();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith('c1:') ? text.slice(3) : '';
  if (!CURSOR_RE.test(id)) throw badCursor();
  return id;
}

const nextCursor = (page: Page<unknown>) => (page.nextAfter ? encodeCursor(page.nextAfter) : null);

export function listResponse<T, U>(page: Page<T>, present: (item: T) => U) {
  return { data: page.items.map(present), next_cursor: nextCursor(page) };
}

/** A list response whose presenter reads storage (secrets, attempt logs), given the whole page at once. */
export async function listResponseAsync<T, U>(page: Page<T>, presentAll: (items: T[]) => Promise<U[]>) {
  return { data: await presentAll(page.items), next_cursor: nextCursor(page) };
}
