/**
 * V8 settings for a long-running server, applied once at process start (imported first by the
 * `keyward` entry point and the bench servers).
 *
 * Allocation-site pretenuring off: under steady request load V8 would, in about half of the
 * processes, decide at the first scavenge that some per-request object is long-lived and allocate it
 * in the old generation from then on; everything that object points to then survives every young
 * collection, and the server spends ~20 % of its time in garbage collection (260 MB promoted and two
 * full collections per 60 000 requests, against 2 MB and none). docs/performance.md, round 3.
 */
import { createHook } from 'node:async_hooks';
import v8 from 'node:v8';

v8.setFlagsFromString('--no-allocation-site-pretenuring');

/**
 * One `process.nextTick` tick object, kept for the life of the process.
 *
 * Node builds every tick as `{[async_id_symbol]: …, [trigger_async_id_symbol]: …, callback, args}`.
 * The inline cache of the second computed key remembers, weakly, the map the object has after the
 * first key. Between bursts of load no tick object is alive, so a full collection can free that map;
 * the next tick creates a new one, the cache sees a second map and turns megamorphic for good, and
 * from then on every tick object (~15 per request) is built in the runtime: ~30 % more CPU per
 * request for the rest of the process's life (docs/performance.md, round 5). Holding one tick object
 * holds its map and, through the maps' back pointers, every map before it.
 */
export const tickShapeAnchor: object | undefined = captureTickObject();

/** A new tick object, as Node builds it, reached through an async-hooks `init` hook. */
export function captureTickObject(): object | undefined {
  let tick: object | undefined;
  // The only way to reach a tick object: async hooks hand each new one to `init` as its resource.
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject') tick ??= resource as object;
    },
  });
  hook.enable();
  process.nextTick(() => {});
  hook.disable();
  return tick;
}
