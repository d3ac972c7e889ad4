/** What every workload operation is given, and the small choices they share. */
import type { Auth, SoakClient } from './client.ts';
import type { Provisioned } from './setup.ts';
import type { FailureBudget, World } from './world.ts';

export interface OpContext {
  client: SoakClient;
  p: Provisioned;
  world: World;
  failures: FailureBudget;
}

/** One operation: one request (a fallback may make a different one, never two). */
export type Op = (c: OpContext) => Promise<unknown>;

export const any = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
export const between = ([lo, hi]: readonly [number, number]) =>
  lo + Math.floor(Math.random() * (hi - lo + 1));

/** The read:write key. */
export const main = (c: OpContext): Auth => ({ bearer: c.p.mainKey.secret });
/** Either key that may read. */
export const reader = (c: OpContext): Auth => ({ bearer: any([c.p.mainKey.secret, c.p.readKey.secret]) });
/** The owner's dashboard session. */
export const session = (c: OpContext): Auth => ({ session: c.p.session });
