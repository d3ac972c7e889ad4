/** The one id generator: `<type>_<time><random>`, lowercase base36 so ids sort by creation. */
import { createHash } from 'node:crypto';
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

/** `now` comes from the caller's clock (an injected one in tests), so an id's time is the change's. */
export function newId(kind: IdKind, now: number): string {
  return `${ID_PREFIXES[kind]}_${time36(now)}${randomString(12, BASE36)}`;
}

/**
 * `evt_<time><digest>` for an event that must be recorded once however often it is reported (usage
 * alerts, a credential's expiry): sortable like other ids, and identical for the same `identity` on
 * every instance, so a second copy is recognised by its id.
 */
export function deterministicEventId(at: number, identity: string): string {
  const digest = createHash('sha256').update(identity).digest('hex').slice(0, 12);
  return `${ID_PREFIXES.event}_${time36(at)}${digest}`;
}

function time36(at: number): string {
  return at.toString(36).padStart(9, '0');
}

export function hasIdPrefix(id: string, kind: IdKind): boolean {
  return id.startsWith(`${ID_PREFIXES[kind]}_`);
}

/** Longest id a route accepts in its path; a longer path segment is 414 ERR_URI_TOO_LONG. */
export const MAX_ID_LENGTH = 200;
