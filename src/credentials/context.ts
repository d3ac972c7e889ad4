/** What credential operations need: storage, the clock, the prefixes and a way to tell caches. */
import type { InvalidationMessage } from '../cache/invalidation-bus.ts';
import type { Clock } from '../core/clock.ts';
import type { Plan } from '../core/plans.ts';
import type { Storage } from '../storage/index.ts';

export interface CredentialContext {
  storage: Storage;
  clock: Clock;
  keyPrefix: string;
  tokenPrefix: string;
  plans: Map<string, Plan>;
  /** Tells this process's cache and the others; the database log is written by the operation itself. */
  notify(message: InvalidationMessage): Promise<void>;
}
