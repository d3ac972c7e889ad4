/**
 * Open-loop pacing: operations start at the offered rate whatever the server's latency, so a slow
 * server meets the same load (not a politely smaller one). In-flight requests are capped; an
 * operation due while the cap is reached is shed and counted, never queued without bound.
 */
import type { Tally } from './tally.ts';

export const MAX_IN_FLIGHT = 256;
const TICK_MS = 5;

export interface PaceOptions {
  rate: number;
  durationMs: number;
  tally: Tally;
  /** Starts one operation; its promise must not reject. */
  start: () => Promise<unknown>;
  /** Asked every tick: a reason to stop early (the server died, the soak was interrupted). */
  stopReason: () => string | undefined;
}

/** Runs until the duration is over or a stop reason appears; then waits for what is in flight. */
export async function pace(o: PaceOptions): Promise<string | undefined> {
  const inFlight = new Set<Promise<unknown>>();
  const began = performance.now();
  let launched = 0;
  let stopped: string | undefined;
  while (true) {
    stopped = o.stopReason();
    const elapsed = performance.now() - began;
    if (stopped || elapsed >= o.durationMs) break;
    // Everything due by now: a late tick (a GC pause in the soak itself) catches up at once.
    const due = Math.floor((elapsed / 1000) * o.rate);
    for (; launched < due; launched++) {
      if (inFlight.size >= MAX_IN_FLIGHT) {
        o.tally.shed++;
        continue;
      }
      const p = o.start().finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  // Requests time out after 15 s (client.ts), so this wait is bounded too.
  await Promise.allSettled([...inFlight]);
  return stopped;
}
