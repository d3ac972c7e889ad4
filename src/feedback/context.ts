/** What the feedback operations need: the storage (with its transactions) and the clock. */
import type { Clock } from '../core/clock.ts';
import { KeywardError } from '../core/errors.ts';
import type { Storage } from '../storage/index.ts';

export interface FeedbackContext {
  storage: Storage;
  clock: Clock;
}

export type FeedbackKind = 'Board' | 'Post' | 'Vote';

export const notFound = (kind: FeedbackKind, id: string) =>
  new KeywardError('ERR_NOT_FOUND', `${kind} ${id} not found.`);
