/**
 * `credential.expired` when an expiry time passes by itself (a key created to expire in 30 days, an
 * "expire later"). Explicit expiries emit the event in their own transaction; the sweep uses the same
 * deterministic event id, so whichever comes second is ignored, and so are other workers' sweeps.
 */
import type { Storage } from '../storage/index.ts';
import { emitEvent } from './emit.ts';
import { credentialEventData, expiredEventId } from './payloads.ts';

/** How far back the first sweep of a process looks (expiries while no worker ran). */
const FIRST_LOOKBACK_MS = 24 * 3_600_000;
/** Later sweeps overlap the previous window a little (commit lag, clock skew between instances). */
const OVERLAP_MS = 60_000;

export async function sweepExpiredCredentials(
  storage: Storage,
  lastSweep: number | undefined,
  now: number,
): Promise<number> {
  const from = lastSweep === undefined ? now - FIRST_LOOKBACK_MS : lastSweep - OVERLAP_MS;
  let emitted = 0;
  for (const c of await storage.credentials.expiredBetween(from, now)) {
    const at = c.expires_at as number;
    const event = await storage.transaction((tx) =>
      emitEvent(tx, c.workspace_id, 'credential.expired', credentialEventData(c), at, {
        id: expiredEventId(c.id, at),
      }),
    );
    if (event) emitted++;
  }
  return emitted;
}
