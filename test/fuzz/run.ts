/**
 * The fuzzing loop: reads the target's OpenAPI document, generates requests from the seed with
 * fast-check (a fixed number per chunk, each chunk seeded from the run's seed, so request N is the
 * same in every run), sends them in small concurrent batches, judges every answer and samples memory.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { BODY_LIMIT } from '../../src/http/app.ts';
import { DASHBOARD_DIST } from '../../src/http/routes/dashboard.ts';
import { problemsOf } from './check.ts';
import { formatMemory, type MemoryFigures, MemoryWatch, memoryProblems } from './memory.ts';
import { type OpenApiDocument, type Operation, operationsOf, UNDOCUMENTED } from './openapi.ts';
import { parseAnswers, rawRequestArb, sendRaw } from './raw.ts';
import { type Plan, planArb, toWire, type Wire } from './requests.ts';
import { lenientDecode } from './secrets.ts';
import { type Answer, createAgent, send } from './send.ts';
import type { FuzzTarget } from './target.ts';

export interface FuzzOptions {
  seed: number;
  requests: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Requests between two replenishments of the target's pools (default 250). */
  maintainEvery?: number;
  /** Allowed growth of the heap after warm-up, in MiB (default 150). */
  heapLimitMiB?: number;
  /** Called about every 1000 requests. */
  onProgress?: (done: number, summary: Summary) => void;
  /** Sees every request and its answer (for looking into what the fuzzer reaches). */
  onAnswer?: (index: number, plan: Plan, wire: Wire, answer: Answer) => void;
}

export interface Failure {
  index: number;
  operation: string;
  problems: string[];
  report: string;
}

export interface Summary {
  seed: number;
  requests: number;
  elapsedMs: number;
  operations: number;
  /** Answers by status (`0`: no answer). */
  statuses: Record<string, number>;
  /** The operations of the OpenAPI document (the others are hidden routes and paths with none). */
  documented: string[];
  /** Requests per operation, to see that every one was reached. */
  perOperation: Record<string, number>;
  /** Operations that got at least one 2xx. */
  reached2xx: string[];
  failureCount: number;
  /** Failures by kind (what broke, secrets' names left out), each with the status it came with. */
  failureKinds: Record<string, number>;
  /** The first failures in full (at most 25, 3 of each kind). */
  failures: Failure[];
  /** Set when the run is over. */
  memory?: MemoryFigures;
  /** Requests Node's client refused to send (a control character in a header): not the server's. */
  clientRefused: number;
}

type Job = { kind: 'http'; plan: Plan } | { kind: 'raw'; text: string };

const CHUNK = 100;

/** The document the target serves, and every operation to fuzz: the documented and the hidden ones. */
export async function fuzzOperations(target: FuzzTarget): Promise<Operation[]> {
  const res = await target.t.app.inject({ method: 'GET', url: '/openapi.json' });
  const documented = operationsOf(res.json() as OpenApiDocument);
  const assets = existsSync(join(DASHBOARD_DIST, 'assets'))
    ? readdirSync(join(DASHBOARD_DIST, 'assets'))
    : [];
  const hidden = UNDOCUMENTED.filter((u) => !documented.some((d) => d.name === u.name)).map((op) =>
    op.path === '/assets/{file}'
      ? { ...op, examples: { file: [...assets, ...(op.examples?.file ?? [])] } }
      : op,
  );
  return [...documented, ...hidden];
}

function jobArb(operations: Operation[]): fc.Arbitrary<Job> {
  const http = operations.map((op) => ({
    weight: op.documented ? 10 : 3,
    arbitrary: planArb(op).map((plan): Job => ({ kind: 'http', plan })),
  }));
  const raw = { weight: 8, arbitrary: rawRequestArb.map((text): Job => ({ kind: 'raw', text })) };
  return fc.oneof(...http, raw);
}

/** The seed of each chunk of requests: distinct, all from the run's seed. */
const chunkSeed = (seed: number, chunk: number) => (seed + Math.imul(chunk, 0x9e3779b1)) | 0;

/** Long runs of one character shortened, secrets named: a request or answer as a report shows it. */
function excerpt(target: FuzzTarget, text: string, max: number): string {
  const short = target.book
    .redact(text)
    .replace(/(.)\1{39,}/gs, (run, c: string) => `${c.repeat(8)}…(${run.length}×)`);
  return short.length > max ? `${short.slice(0, max)}…(${short.length} chars)` : short;
}

export async function runFuzz(target: FuzzTarget, options: FuzzOptions): Promise<Summary> {
  const { seed, requests } = options;
  const concurrency = options.concurrency ?? 4;
  const maintainEvery = options.maintainEvery ?? 250;
  const operations = await fuzzOperations(target);
  const byName = new Map(operations.map((op) => [op.name, op]));
  const arb = jobArb(operations);
  const agent = createAgent(concurrency);
  const warmUp = Math.min(1_000, Math.max(200, Math.floor(requests / 10)));
  const memory = new MemoryWatch();
  const summary: Summary = {
    seed,
    requests: 0,
    elapsedMs: 0,
    operations: operations.length,
    statuses: {},
    documented: operations.filter((op) => op.documented).map((op) => op.name),
    perOperation: Object.fromEntries([...operations.map((op) => [op.name, 0]), ['(raw request)', 0]]),
    reached2xx: [],
    failureCount: 0,
    failureKinds: {},
    failures: [],
    clientRefused: 0,
  };
  const reached = new Set<string>();
  let signedOut = false;
  const started = Date.now();

  const replayDatabase = target.database === 'sqlite' ? '' : ` --database ${target.database}`;
  // Reports kept: 25 at most, 3 of each kind, so that one frequent failure does not hide the others.
  const fail = (
    index: number,
    operation: string,
    status: number,
    problems: string[],
    request: string,
    answer: string,
  ) => {
    summary.failureCount++;
    const kind = `${status}: ${problems.map((p) => p.replace(/\$[A-Z_0-9]+/g, '$SECRET')).join('; ')}`;
    const seen = (summary.failureKinds[kind] ?? 0) + 1;
    summary.failureKinds[kind] = seen;
    if (summary.failures.length >= 25 || seen > 3) return;
    const report = [
      `request #${index} of seed ${seed} (${operation}): ${problems.join('; ')}`,
      `  sent:     ${excerpt(target, request, 1_200).replaceAll('\n', '\n            ')}`,
      `  answered: ${excerpt(target, answer, 800)}`,
      `  replay:   npm run fuzz -- --seed ${seed} --requests ${index + 1} --concurrency ${concurrency}${replayDatabase}`,
    ].join('\n');
    summary.failures.push({ index, operation, problems, report });
  };

  async function runJob(job: Job, index: number): Promise<void> {
    if (job.kind === 'raw') {
      const text = target.book.materialize(job.text);
      const received = await sendRaw(target.port, text);
      const answers = parseAnswers(received);
      // No answer is a fine reply to some of these (a CONNECT, an HTTP/2 preface): nothing to judge.
      if (answers.length === 0) count('(raw request)', 0);
      for (const [i, answer] of answers.entries()) {
        count('(raw request)', answer.status, i > 0);
        if (answer.status >= 200 && answer.status < 300) reached.add('(raw request)');
        const problems = problemsOf({ ...answer, method: 'GET', wellFormed: false }, target.book);
        if (problems.length > 0)
          fail(index, '(raw request)', answer.status, problems, text, received.toString('latin1'));
      }
      return;
    }
    const op = byName.get(job.plan.op)!;
    const wire = toWire(job.plan, op, target);
    const answer = await send(target.port, agent, wire);
    options.onAnswer?.(index, job.plan, wire, answer);
    if (answer.error?.startsWith('client refused')) {
      summary.clientRefused++;
      return;
    }
    count(op.name, answer.status);
    const success = answer.status >= 200 && answer.status < 300;
    // A 2xx stores what its body held: it, and any later 2xx, may show it (a post whose author is a key).
    if (success) remember(wire);
    // Past the body limit the server may answer 413 and close before the body is all sent, and the
    // client then sees a reset: not an answer missing.
    const wellFormed = Buffer.byteLength(wire.body ?? '') <= BODY_LIMIT;
    const problems = problemsOf({ ...answer, method: wire.method, wellFormed }, target.book);
    if (problems.length > 0) {
      const head = Object.entries(wire.headers).map(([k, v]) => `${k}: ${v}`);
      const request = [`${wire.method} ${wire.path}`, ...head, '', wire.body ?? ''].join('\n');
      const status = answer.error ? `(no answer: ${answer.error})` : `${answer.status}`;
      fail(
        index,
        op.name,
        answer.status,
        problems,
        request,
        `${status} ${JSON.stringify(answer.headers)} ${answer.body}`,
      );
    }
    if (success) {
      reached.add(op.name);
      if (wire.method === 'DELETE' && wire.path.startsWith('/api/session')) signedOut = true;
      // Checked first: a secret a 2xx created is known from now on, and must not be shown again.
      target.book.harvest(answer.body);
    }
  }

  /** `again`: a second answer on the connection (pipelining), not a request of its own. */
  function count(operation: string, status: number, again = false) {
    if (!again) summary.requests++;
    summary.statuses[status] = (summary.statuses[status] ?? 0) + 1;
    if (!again) summary.perOperation[operation] = (summary.perOperation[operation] ?? 0) + 1;
  }

  function remember(wire: Wire) {
    if (!wire.body) return;
    const decoded = lenientDecode(wire.body);
    for (const s of target.book.list) if (decoded.includes(s.value)) target.book.stored.add(s.value);
  }

  let index = 0;
  try {
    for (let chunk = 0; index < requests; chunk++) {
      const jobs = fc.sample(arb, { seed: chunkSeed(seed, chunk), numRuns: CHUNK });
      for (let at = 0; at < jobs.length && index < requests; at += concurrency) {
        const batch = jobs.slice(at, Math.min(at + concurrency, at + requests - index));
        const first = index;
        index += batch.length;
        await Promise.all(batch.map((job, i) => runJob(job, first + i)));
        if (Math.floor(index / maintainEvery) > Math.floor(first / maintainEvery)) await target.maintain();
        else if (signedOut) await target.repairSessions();
        signedOut = false;
        if (Math.floor(index / 25) > Math.floor(first / 25)) memory.sample();
        if (first < warmUp && index >= warmUp) memory.warmedUp();
        if (options.onProgress && Math.floor(index / 1_000) > Math.floor(first / 1_000)) {
          summary.elapsedMs = Date.now() - started;
          options.onProgress(index, summary);
        }
      }
    }
  } finally {
    agent.destroy();
    summary.memory = memory.stop();
  }
  summary.elapsedMs = Date.now() - started;
  summary.reached2xx = [...reached].sort();
  const problems = memoryProblems(summary.memory, options.heapLimitMiB ?? 150);
  if (problems.length > 0) {
    summary.failureCount++;
    summary.failureKinds[`memory: ${problems.join('; ')}`] = 1;
    summary.failures.push({
      index: requests,
      operation: '(memory)',
      problems,
      report: `memory: ${problems.join('; ')}\n  ${formatMemory(summary.memory)}`,
    });
  }
  return summary;
}

/** The summary as the CLI and the test print it. */
export function formatSummary(s: Summary): string {
  const statuses = Object.entries(s.statuses)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, n]) => `${status === '0' ? 'no answer' : status}: ${n}`)
    .join(', ');
  const without = Object.keys(s.perOperation).filter((name) => !s.reached2xx.includes(name));
  const unreached = Object.entries(s.perOperation)
    .filter(([, n]) => n === 0)
    .map(([name]) => name);
  return [
    `seed ${s.seed}: ${s.requests} requests over ${s.operations} operations in ${(s.elapsedMs / 1000).toFixed(1)} s` +
      ` (${Math.round(s.requests / Math.max(0.001, s.elapsedMs / 1000))}/s); ${s.clientRefused} not sendable by node:http`,
    `statuses: ${statuses}`,
    `operations with a 2xx: ${s.reached2xx.length}/${s.operations}; without: ${without.join(', ') || 'none'}`,
    ...(unreached.length ? [`never sent: ${unreached.join(', ')}`] : []),
    ...(s.memory ? [formatMemory(s.memory)] : []),
    `failures: ${s.failureCount}`,
    ...Object.entries(s.failureKinds).map(([kind, n]) => `  ${n} × ${kind}`),
    ...s.failures.map((f) => f.report),
  ].join('\n');
}
