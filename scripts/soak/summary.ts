/** The end of the report: the figures of the whole run, the judgement and the findings beside it. */
import type { ServerSample } from './metrics.ts';
import type { ReceiverCounts } from './receiver.ts';
import type { ServerExit, StopResult } from './server.ts';
import type { Kind, Tally } from './tally.ts';
import { judgeMemory } from './verdict.ts';
import type { World } from './world.ts';

export interface RunFacts {
  workloadMs: number;
  warmupMs: number;
  rate: number;
  tally: Tally;
  samples: readonly ServerSample[];
  webhooks: ReceiverCounts;
  /** Deliveries still queued on the server after the drain, if it could be read. */
  queuedAfterDrain: number | undefined;
  drainMs: number;
  world: World;
  /** Set when the server exited before the soak stopped it. */
  died: (ServerExit & { atMs: number }) | undefined;
  stop: StopResult | undefined;
  serverWarnings: { count: number; samples: string[] };
  serverTail: string[];
  interrupted: boolean;
}

/** Prints the summary and returns whether the soak passed. */
export function summarize(f: RunFacts, print: (line: string) => void): boolean {
  const t = f.tally;
  const failures: string[] = [];
  const seconds = f.workloadMs / 1000;
  print('');
  print(
    `summary: ${t.requests} requests in ${seconds.toFixed(0)} s (${(t.requests / seconds).toFixed(1)} req/s of ${f.rate} offered)${t.shed ? `, ${t.shed} operations shed at the in-flight cap` : ''}`,
  );
  print(`  statuses: ${t.histogram()}`);

  print(`  answers ≥ 500: ${t.serverErrors}; connection errors and timeouts: ${t.connectionErrors}`);
  printKinds(t.errorKinds.byKind, print);
  if (t.serverErrors > 0) failures.push(`${t.serverErrors} answers ≥ 500`);
  if (t.connectionErrors > 0) failures.push(`${t.connectionErrors} requests without an answer`);

  if (f.died) {
    failures.push('the server died');
    // Code 0 is `keyward serve`'s graceful close: something outside the soak sent it SIGINT or SIGTERM.
    const hint = f.died.code === 0 ? ' — a clean exit: it was sent SIGINT/SIGTERM from outside the soak' : '';
    print(
      `  server: DIED at ${(f.died.atMs / 1000).toFixed(1)} s (exit code ${f.died.code}, signal ${f.died.signal})${hint}; its last output:`,
    );
    if (f.serverTail.length === 0) print('    (none)');
    for (const line of f.serverTail) print(`    ${line}`);
  } else if (f.stop) {
    const how = f.stop.graceful ? 'on SIGTERM' : 'only by SIGKILL after 20 s';
    print(
      `  server: alive until stopped; exited ${how} in ${(f.stop.stopMs / 1000).toFixed(1)} s (code ${f.stop.code}, signal ${f.stop.signal})`,
    );
  }

  const memory = judgeMemory(f.samples, f.warmupMs);
  for (const line of memory.lines) print(`  ${line}`);
  if (memory.failed) failures.push('memory grew without bound');
  const lags = f.samples.map((s) => s.lagP99Seconds).filter((v): v is number => v !== undefined);
  if (lags.length)
    print(`  event-loop lag p99 per sample: median ${ms(median(lags))}, max ${ms(Math.max(...lags))}`);
  const last = f.samples.at(-1);
  print(
    `  credential cache entries at the end: ${last?.cacheEntries ?? '?'}; open fds ${f.samples[0]?.openFds ?? '?'} → ${last?.openFds ?? '?'}`,
  );

  const w = f.webhooks;
  print(
    `  webhooks: ${w.deliveries} deliveries received, ${w.distinct} distinct events, ${w.badSignatures} bad signatures; ` +
      `server counted ${last?.webhooksDelivered ?? '?'} delivered, ${last?.webhooksFailed ?? '?'} failed attempts; ` +
      `${f.queuedAfterDrain ?? '?'} still queued after a ${(f.drainMs / 1000).toFixed(1)} s drain`,
  );
  print(
    `    by type: ${
      Object.entries(w.byType)
        .map(([k, n]) => `${k}:${n}`)
        .join(' ') || '-'
    }`,
  );
  print(`  fresh keys: ${f.world.minted} minted, ${f.world.revokedCount} revoked`);

  // Reported, not judged: the soak is about staying up and bounded; these are for a person to read.
  print(`  unexpected answers (not judged): ${t.unexpected}`);
  printKinds(t.unexpectedKinds.byKind, print);
  print(`  server log lines at warn or above (not judged): ${f.serverWarnings.count}`);
  for (const s of f.serverWarnings.samples) print(`    ${s}`);

  if (f.interrupted) failures.push('interrupted before the end');
  print('');
  print(failures.length ? `soak FAILED: ${failures.join('; ')}` : 'soak passed');
  return failures.length === 0;
}

function printKinds(kinds: ReadonlyMap<string, Kind>, print: (line: string) => void): void {
  for (const [kind, k] of kinds)
    print(`    ${kind}: ${k.count}, the first at ${k.firstAtS.toFixed(1)} s: ${k.first}`);
}

const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
