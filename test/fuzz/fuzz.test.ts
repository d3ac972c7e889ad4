/**
 * The short run of the fuzzer (the long one: `npm run fuzz -- --requests 100000`): every operation of
 * the live OpenAPI document and the routes it hides, a fixed seed, a few thousand requests over a
 * real socket, on each storage dialect. Every answer is below 500, every error is the envelope with
 * a catalogue code, no known secret comes back, and the heap after garbage collection stays flat.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDialects } from '../http/harness.ts';
import type { TestDatabase } from '../support/storages.ts';
import { formatSummary, runFuzz, type Summary } from './run.ts';
import { type FuzzTarget, startFuzzTarget } from './target.ts';

const SEED = 20_240_601;
// About 12 s on SQLite and 15 s on PostgreSQL on a two-core machine.
const REQUESTS = 4_000;

describeDialects('fuzzing every route (seed-fixed)', (create) => {
  let db: TestDatabase;
  let target: FuzzTarget;
  let summary: Summary;

  beforeAll(async () => {
    db = await create();
    target = await startFuzzTarget(db, SEED);
    summary = await runFuzz(target, { seed: SEED, requests: REQUESTS });
    console.log(formatSummary(summary));
  }, 120_000);
  afterAll(async () => {
    await target?.close();
    await db?.drop();
  });

  it(`sends ${REQUESTS} requests, reaching every documented operation with a 2xx on most`, () => {
    expect(summary.requests).toBe(REQUESTS);
    const documented = summary.documented;
    expect(documented.length).toBeGreaterThan(50);
    expect(documented.filter((name) => summary.perOperation[name] === 0)).toEqual([]);
    const reached = documented.filter((name) => summary.reached2xx.includes(name));
    expect(reached.length / documented.length).toBeGreaterThan(0.8);
  });

  it('breaks no invariant: no 5xx, every error the envelope, no secret shown, memory flat', () => {
    // The reports name the seed, the request and how to replay it; secrets appear by name.
    expect(summary.failures.map((f) => f.report)).toEqual([]);
    expect(summary.failureCount).toBe(0);
  });
});
