/**
 * Soak test: a real `keyward serve` under a bounded, mixed, open-loop load for a set time, judged at
 * the end. `npm run soak -- --minutes 10 [--database-url postgres://…] [--redis-url redis://…] [--rate 300]`.
 *
 * What runs: a fresh temporary SQLite file (or, given `--database-url`, a PostgreSQL schema of its
 * own, dropped at the end), the server as a child process on a free port, a local webhook receiver.
 * Setup goes through the API (first-run setup → owner session and CSRF token; API keys; a private
 * integration and its token; a webhook endpoint for every event). The plan's rate limits are raised
 * far above the load. Then, at `--rate` requests a second (at most 256 in flight; the rest are shed
 * and counted): reads (ping, boards, posts, votes), writes (boards, posts, votes, status changes,
 * deletes: every one a webhook event), credential-cache misses (keys minted, used 2–6 times and
 * revoked; revoked, unknown and malformed secrets, at most one a second so the per-IP failure budget
 * is never spent), a 20/m key (429s), a read key writing (403s), and management reads (keys, usage,
 * request log, audit log, deliveries). Pools of boards, posts and votes are bounded, so the data the
 * server holds stays the same size however long the run.
 *
 * What is printed: a line every minute (every 10 s in runs under 5 minutes) and at the end — elapsed,
 * requests, req/s and client latency in the interval, status histogram, errors, webhook deliveries
 * received, and the server's own RSS, heap used and event-loop lag p99 from GET /metrics
 * (`keyward_process_resident_memory_bytes`, `keyward_nodejs_heap_size_used_bytes`,
 * `keyward_nodejs_eventloop_lag_p99_seconds`; the p99 covers the time since the previous scrape).
 * After the workload, up to 30 s for the webhook outbox to drain, then a summary.
 *
 * Exit 1 when: any answer ≥ 500; any request without an answer (refused, reset, or none in 15 s);
 * the server exited before the soak stopped it; or memory grew without bound. The memory rule:
 * /metrics is sampled every duration/12 (between 2 and 10 s); samples in the warm-up (20 % of the
 * run, between 10 and 60 s) are left out; of the rest, the median of the last third is compared with
 * the median of the first third. Heap used fails when it grew by more than 50 % AND more than 64 MiB;
 * RSS when by more than 50 % AND more than 128 MiB (RSS also holds freed memory the allocator keeps).
 * Fewer than 6 samples after the warm-up: memory is reported, not judged. The rule catches a leak
 * that is large within the run; a one-minute CI run only catches fast ones, hence the 10-minute run.
 * Reported but not judged: unexpected 4xx answers (e.g. a revoked key accepted), bad webhook
 * signatures, server log lines at warn or above.
 */
import { parseOptions } from './soak/options.ts';
import { runSoak } from './soak/run.ts';

const options = parseOptions(process.argv);
const controller = new AbortController();
let signals = 0;
const onSignal = () => {
  // The first signal stops the workload and cleans up; a second one leaves at once (the server is
  // still killed by server.ts's exit hook).
  if (++signals > 1) process.exit(130);
  console.log('soak: interrupted; stopping the workload and cleaning up');
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  const passed = await runSoak(options, controller.signal, (line) => console.log(line));
  process.exitCode = passed ? 0 : 1;
} catch (err) {
  console.error(`soak FAILED: ${(err as Error).message}`);
  process.exitCode = 1;
}
