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
import v8 from 'node:v8';

v8.setFlagsFromString('--no-allocation-site-pretenuring');
