/** The one id generator: `<type>_<time><random>`, lowercase base36 so ids sort by creation. */
import { randomString } from './base62.ts';

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

export const ID_PREFIXES = {
  workspace: 'ws',
  board: 'brd',
  post: 'pst',
  vote: 'vot',
  apiKey: 'key',
  integration: 'int',
  webhook: 'whk',
  webhookDelivery: 'dlv',
  event: 'evt',
  user: 'usr',
  audit: 'aud',
  operatorToken: 'opt',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

export function newId(kind: IdKind, now: number = Date.now()): string {
  return `${ID_PREFIXES[kind]}_${now.toString(36).padStart(9, '0')}${randomString(12, BASE36)}`;
}

export function hasIdPrefix(id: string, kind: IdKind): boolean {
  return id.startsWith(`${ID_PREFIXES[kind]}_`);
}

/** Longest id a route accepts in its path; a longer path segment is 414 ERR_URI_TOO_LONG. */
export const MAX_ID_LENGTH = 200;
