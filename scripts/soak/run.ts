/**
 * One soak run from start to cleanup: database, receiver, server, provisioning, the paced workload
 * with its sampler, the webhook drain, and the summary. Whatever happens, the server is stopped, the
 * receiver closed, the PostgreSQL schema dropped and the temporary folder removed.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SoakClient } from './client.ts';
import { postgresDatabase, type SoakDatabase, sqliteDatabase } from './database.ts';
import { createBoard, createPost } from './feedback-ops.ts';
import { REQUIRED, scrape } from './metrics.ts';
import { pickOp } from './mix.ts';
import type { OpContext } from './op-context.ts';
import type { SoakOptions } from './options.ts';
import { pace } from './pacer.ts';
import { WebhookReceiver } from './receiver.ts';
import { Sampler, scheduleFor } from './sampler.ts';
import { type SoakServer, type StopResult, startServer } from './server.ts';
import { provision } from './setup.ts';
import { summarize } from './summary.ts';
import { Tally } from './tally.ts';
import { FailureBudget, World } from './world.ts';

const DRAIN_MS = 30_000;
const SEED = { boards: 5, posts: 30 };

// Limits far above the offered load: the soak measures the server, not its own 429s (one key of the
// mix keeps a tiny limit of its own, so the 429 path is still exercised).
const PLANS = {
  professional: { api_access: true, key_rate_limit: '1000000000/h', workspace_rate_limit: '1000000000/h' },
};

export async function runSoak(o: SoakOptions, signal: AbortSignal, print: (line: string) => void) {
  const dir = await mkdtemp(join(tmpdir(), 'keyward-soak-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  const receiver = new WebhookReceiver();
  let db: SoakDatabase | undefined;
  let server: SoakServer | undefined;
  let stop: StopResult | undefined;
  try {
    db = o.databaseUrl ? await postgresDatabase(o.databaseUrl) : sqliteDatabase(dir);
    const plans = join(dir, 'plans.json');
    await writeFile(plans, JSON.stringify(PLANS));
    await receiver.start();
    const env: Record<string, string> = {
      KEYWARD_DATABASE_URL: db.url,
      KEYWARD_LOG_LEVEL: 'warn',
      KEYWARD_PLANS: plans,
      KEYWARD_WEBHOOK_ALLOW_HTTP: 'true',
      KEYWARD_WEBHOOK_ALLOW_PRIVATE: 'true',
    };
    if (o.redisUrl) env.KEYWARD_REDIS_URL = o.redisUrl;
    const schedule = scheduleFor(o.durationMs);
    print(
      `soak: ${o.durationMs / 60_000} min at ${o.rate} req/s; ${db.label}; Redis ${o.redisUrl ?? 'off'}; ` +
        `sample every ${schedule.sampleMs / 1000} s, warm-up ${schedule.warmupMs / 1000} s`,
    );
    server = await startServer(env);
    const s = server;
    print(`server: pid ${s.pid} at ${s.url}; webhook receiver at ${receiver.url}`);

    const tally = new Tally();
    const client = new SoakClient(s.url, tally);
    const p = await provision(client, receiver.url);
    receiver.verifyWith(p.webhook.secret);
    const first = await scrape(client, 0);
    const missing = REQUIRED.filter((k) => first?.[k] === undefined);
    if (missing.length) throw new Error(`GET /metrics lacks what the soak reads: ${missing.join(', ')}`);
    const ctx: OpContext = { client, p, world: new World(), failures: new FailureBudget() };
    for (let i = 0; i < SEED.boards; i++) await createBoard(ctx);
    for (let i = 0; i < SEED.posts; i++) await createPost(ctx);

    const sampler = new Sampler(client, tally, receiver, schedule, print);
    let died: (NonNullable<ReturnType<SoakServer['exit']>> & { atMs: number }) | undefined;
    sampler.start();
    const stopped = await pace({
      rate: o.rate,
      durationMs: o.durationMs,
      tally,
      start: () => pickOp()(ctx).catch((err) => print(`soak bug in an operation: ${(err as Error).stack}`)),
      stopReason: () => {
        const exit = s.exit();
        if (exit && !died) died = { ...exit, atMs: sampler.elapsedMs };
        if (died) return 'the server died';
        return signal.aborted ? 'interrupted' : undefined;
      },
    });
    const workloadMs = sampler.elapsedMs;
    await (died ? sampler.halt() : sampler.stop());
    if (stopped) print(`workload stopped early: ${stopped}`);

    const drain = died ? { queued: undefined, ms: 0 } : await drainWebhooks(client, workloadMs, signal);
    const warnings = s.warnings();
    const tail = s.tail();
    stop = await s.stop();
    return summarize(
      {
        workloadMs,
        warmupMs: schedule.warmupMs,
        rate: o.rate,
        tally,
        samples: sampler.samples,
        webhooks: receiver.counts(),
        queuedAfterDrain: drain.queued,
        drainMs: drain.ms,
        world: ctx.world,
        died,
        stop,
        serverWarnings: warnings,
        serverTail: tail,
        interrupted: stopped === 'interrupted',
      },
      print,
    );
  } finally {
    if (server && !stop) await server.stop();
    await receiver.stop();
    await db?.drop().catch((err) => print(`could not drop the soak's schema: ${(err as Error).message}`));
    await rm(dir, { recursive: true, force: true });
    process.off('exit', removeDir);
  }
}

/** Waits (30 s at most) until the server's outbox is empty, so the webhook counts are complete. */
async function drainWebhooks(client: SoakClient, t: number, signal: AbortSignal) {
  const began = performance.now();
  let queued: number | undefined;
  while (performance.now() - began < DRAIN_MS && !signal.aborted) {
    queued = (await scrape(client, t))?.webhooksQueued;
    if (queued === 0) break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  return { queued, ms: performance.now() - began };
}
