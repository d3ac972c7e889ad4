/**
 * One fault scenario as a timeline: load starts, a healthy second, the fault, readiness probes
 * while it lasts, the dependency restored, then polling until every instance answers 2xx again
 * and a last second of load to show that it stays so.
 */
import type { Instance } from './harness.ts';
import { sleep } from './harness.ts';
import { Load, ROUTES, type Sample, send, summary } from './load.ts';

export interface Readiness {
  instance: string;
  /** Milliseconds after the fault began. */
  after: number;
  ms: number;
  status: number;
  /** `data.status` of a 200 (e.g. "degraded"). */
  state: unknown;
  /** `data.checks` or, on an error, `error.details.checks`. */
  checks: Record<string, unknown> | undefined;
  body: unknown;
}

interface ReadyBody {
  data?: { status?: unknown; checks?: Record<string, unknown> };
  error?: { details?: { checks?: Record<string, unknown> } };
}

export async function readyz(instance: Instance, since: number): Promise<Readiness> {
  const at = Date.now();
  const base = { instance: instance.name, after: at - since, state: undefined, checks: undefined };
  try {
    const res = await fetch(`${instance.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    let body: ReadyBody | string;
    try {
      body = JSON.parse(text) as ReadyBody;
    } catch {
      body = text.slice(0, 200);
    }
    const parsed = typeof body === 'string' ? {} : body;
    return {
      ...base,
      ms: Date.now() - at,
      status: res.status,
      state: parsed.data?.status,
      checks: parsed.data?.checks ?? parsed.error?.details?.checks,
      body,
    };
  } catch (err) {
    return { ...base, ms: Date.now() - at, status: 0, body: (err as Error).message };
  }
}

export interface ScenarioOptions {
  instances: readonly Instance[];
  secret: string;
  /** Breaks the dependency (returns once it is broken). */
  fault(): Promise<void>;
  /** Brings it back (returns once it is back). */
  restore(): Promise<void>;
  /** How long the fault lasts, from when `fault` was called. */
  outageMs: number;
  /** When to ask each instance's /readyz, in ms after the fault took hold (`fault` returned). */
  readinessAt?: readonly number[];
  /** Something more to do while the fault lasts (e.g. terminate sessions again), until `active()` is false. */
  during?: (active: () => boolean) => Promise<void>;
  /** How long recovery may take after `restore` returned. */
  recoveryMs?: number;
}

export interface ScenarioResult {
  samples: Sample[];
  /** Date.now() when the load started. */
  start: number;
  /** When `fault` was called, and when it returned (the dependency is broken from then on). */
  faultAt: number;
  brokenAt: number;
  /** When `restore` was called, and when it returned (the dependency is back). */
  restoringAt: number;
  restoredAt: number;
  /** When one round of every route on every instance was all 2xx; undefined if never in time. */
  recoveredAt: number | undefined;
  readiness: Readiness[];
  /** Readiness after recovery (all dependencies back). */
  readyAfter: Readiness[];
}

const BASELINE_MS = 1_000;
const STEADY_MS = 1_000;

export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const { instances, secret } = options;
  const start = Date.now();
  const load = new Load(instances, secret);
  // Whatever throws below (a fault that cannot be applied), the load stops with the scenario.
  try {
    await sleep(BASELINE_MS);
    const faultAt = Date.now();
    await options.fault();
    const brokenAt = Date.now();
    const probes = (options.readinessAt ?? [500]).map(async (offset) => {
      await sleep(brokenAt + offset - Date.now());
      return Promise.all(instances.map((i) => readyz(i, faultAt)));
    });
    const during = options.during?.(() => Date.now() < faultAt + options.outageMs);
    await sleep(faultAt + options.outageMs - Date.now());
    const readiness = (await Promise.all(probes)).flat();
    await during;
    const restoringAt = Date.now();
    await options.restore();
    const restoredAt = Date.now();
    const recoveredAt = await awaitRecovery(instances, secret, restoredAt + (options.recoveryMs ?? 6_000));
    await sleep(STEADY_MS);
    const samples = await load.stop();
    const readyAfter = await Promise.all(instances.map((i) => readyz(i, faultAt)));
    const result = {
      samples,
      start,
      faultAt,
      brokenAt,
      restoringAt,
      restoredAt,
      recoveredAt,
      readiness,
      readyAfter,
    };
    report(result);
    return result;
  } finally {
    await load.stop();
  }
}

/** Polls every route on every instance until one whole round is 2xx, or the deadline passes. */
async function awaitRecovery(
  instances: readonly Instance[],
  secret: string,
  deadline: number,
): Promise<number | undefined> {
  while (Date.now() < deadline) {
    const round = await Promise.all(instances.flatMap((i) => ROUTES.map((r) => send(i, secret, r))));
    if (round.every((s) => s.status >= 200 && s.status < 300)) return Date.now();
    await sleep(100);
  }
  return undefined;
}

/** What happened, phase by phase, for the log of a run (and the report of a failure). */
function report(r: ScenarioResult): void {
  const phase = (from: number, to: number) => summary(r.samples.filter((s) => s.at >= from && s.at < to));
  const recovered =
    r.recoveredAt === undefined ? 'never' : `${r.recoveredAt - r.restoredAt} ms after restore`;
  const lines = [
    `before the fault: ${phase(r.start, r.faultAt)}`,
    `during the fault: ${phase(r.faultAt, r.restoredAt)}`,
    `after the restore: ${phase(r.restoredAt, Number.POSITIVE_INFINITY)}`,
    `readiness: ${r.readiness.map((x) => `${x.instance}@+${x.after}ms ${x.status} in ${x.ms} ms ${JSON.stringify(x.checks)}`).join('; ')}`,
    `recovered: ${recovered}`,
  ];
  console.log(`[faults] ${lines.join('\n[faults] ')}`);
}
