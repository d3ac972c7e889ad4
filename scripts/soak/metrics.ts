/**
 * The server's own figures, read from its GET /metrics (prom-client default metrics, prefix
 * `keyward_`): memory, event-loop lag, file descriptors, cache size and the webhook queue.
 */
import type { SoakClient } from './client.ts';

/** One scrape; a figure the page did not have is undefined. */
export interface ServerSample {
  /** Milliseconds since the workload started. */
  t: number;
  rssBytes: number | undefined;
  heapUsedBytes: number | undefined;
  /**
   * p99 of the event-loop delay since the previous scrape: prom-client resets its histogram on every
   * collection, and samples at 10 ms resolution, so ~10 ms is the floor of this figure.
   */
  lagP99Seconds: number | undefined;
  openFds: number | undefined;
  cacheEntries: number | undefined;
  webhooksQueued: number | undefined;
  webhooksDelivered: number | undefined;
  webhooksFailed: number | undefined;
}

const NAMES = {
  rssBytes: 'keyward_process_resident_memory_bytes',
  heapUsedBytes: 'keyward_nodejs_heap_size_used_bytes',
  lagP99Seconds: 'keyward_nodejs_eventloop_lag_p99_seconds',
  openFds: 'keyward_process_open_fds',
  cacheEntries: 'keyward_credential_cache_entries',
  webhooksQueued: 'keyward_webhook_queued',
  webhooksDelivered: 'keyward_webhook_delivered_total',
  webhooksFailed: 'keyward_webhook_failed_total',
} as const;

/** Metrics the soak cannot judge without; checked once before the workload starts. */
export const REQUIRED: readonly (keyof typeof NAMES)[] = ['rssBytes', 'heapUsedBytes', 'lagP99Seconds'];

/** Scrapes /metrics through the soak's client (a ≥ 500 or no answer counts like any other). */
export async function scrape(client: SoakClient, t: number): Promise<ServerSample | undefined> {
  const reply = await client.send({
    op: 'metrics',
    method: 'GET',
    path: '/metrics',
    auth: 'none',
    expect: [200],
  });
  if (reply.status !== 200 || typeof reply.text !== 'string') return undefined;
  const values = parseUnlabelled(reply.text);
  const sample = { t } as ServerSample;
  for (const [field, name] of Object.entries(NAMES)) sample[field as keyof typeof NAMES] = values.get(name);
  return sample;
}

/** `name value` lines of the Prometheus text format (labelled series and comments skipped). */
export function parseUnlabelled(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.includes('{')) continue;
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const value = Number(
      line
        .slice(space + 1)
        .trim()
        .split(' ')[0],
    );
    if (Number.isFinite(value)) values.set(line.slice(0, space), value);
  }
  return values;
}
