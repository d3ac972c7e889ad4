/**
 * The port usage alerts leave through. The usage side decides that an alert happened; whoever
 * delivers events (the webhook outbox) implements this, and `serve` wires the two together
 * (server/compose.ts), so usage recording depends on no delivery mechanism.
 */
import type { Repositories } from '../storage/index.ts';
import type { EventRow } from '../storage/repositories/events.ts';

export interface UsageEventSink {
  /**
   * Records `event` in the caller's transaction, unless an event with its id exists already: alert
   * ids are deterministic, so the copy another instance recorded is neither stored nor sent twice.
   */
  recordOnce(tx: Repositories, event: EventRow): Promise<void>;
}
