/**
 * Graceful shutdown of a real `keyward serve` process, on SQLite and PostgreSQL: on SIGTERM new
 * requests (also on open keep-alive connections) get the 503 drain answer, requests already received
 * finish, nothing the server received is reset, writes and usage land, and the process exits 0.
 * A server that cannot start exits non-zero at once instead of hanging.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { systemClock } from '../../src/core/clock.ts';
import { createApiKey } from '../../src/credentials/api-keys.ts';
import { describeDialects } from '../http/harness.ts';
import { runCliWithin, type ServerProcess, startServerProcess } from '../support/cli.ts';
import type { TestDatabase } from '../support/storages.ts';
import { type Outcome, startLoad } from './keep-alive-load.ts';
import { RawConnection, type RawResponse } from './raw-connection.ts';

/** SIGTERM to exit: the drain (0.5 s) and the close, with room for a loaded 2-core box. */
const EXIT_WITHIN_MS = 5_000;
const ROUNDS = 3;
const CONNECTIONS = 20;

interface Minted {
  workspaceId: string;
  credentialId: string;
  secret: string;
}

/** A fresh enterprise workspace and a read:write key with a budget no test run reaches. */
async function mintKey(db: TestDatabase, name: string): Promise<Minted> {
  const config = loadConfig({}, { databaseUrl: db.url });
  const ws = await db.storage.workspaces.create({ name, plan: 'enterprise' }, Date.now());
  const issued = await createApiKey(
    {
      storage: db.storage,
      clock: systemClock,
      keyPrefix: config.keyPrefix,
      tokenPrefix: config.tokenPrefix,
      plans: config.plans,
      notify: async () => {},
    },
    { workspaceId: ws.id, name: 'shutdown load', scope: 'read:write', rateLimit: '1000000/h' },
  );
  return { workspaceId: ws.id, credentialId: issued.credential.id, secret: issued.secret };
}

async function boardCount(db: TestDatabase, workspaceId: string): Promise<number> {
  const row = await db.storage.db
    .selectFrom('boards')
    .where('workspace_id', '=', workspaceId)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function recordedRequests(db: TestDatabase, credentialId: string): Promise<number> {
  const row = await db.storage.db
    .selectFrom('usage_hourly')
    .where('credential_id', '=', credentialId)
    .select((eb) => eb.fn.sum<number | string | null>('requests').as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n ?? 0);
}

interface Exit {
  code: number | null;
  signal: string | null;
  /** From SIGTERM to the exit. */
  ms: number;
}

/** Sends SIGTERM and waits (bounded) for the exit; a process still running then is killed. */
async function terminate(server: ServerProcess): Promise<Exit> {
  const at = performance.now();
  server.child.kill('SIGTERM');
  const bounded = new Promise<{ code: null; signal: 'still running' }>((resolve) =>
    setTimeout(() => resolve({ code: null, signal: 'still running' }), EXIT_WITHIN_MS + 3_000).unref(),
  );
  const exit = await Promise.race([server.exited, bounded]);
  const ms = performance.now() - at;
  if (exit.signal === 'still running') server.child.kill('SIGKILL');
  return { ...exit, ms };
}

/** What is wrong with a 503 that should be the drain answer (empty: nothing). */
function drainAnswerProblems(status: number, headers: Record<string, unknown>, body: string): string[] {
  const problems: string[] = [];
  if (status !== 503) problems.push(`status ${status}`);
  if (!/^\d+$/.test(String(headers['retry-after'] ?? '')))
    problems.push(`retry-after ${headers['retry-after']}`);
  if (String(headers.connection).toLowerCase() !== 'close') problems.push(`connection ${headers.connection}`);
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    const ok =
      Object.keys(parsed).join() === 'error' &&
      parsed.error?.code === 'ERR_UNAVAILABLE' &&
      typeof parsed.error.message === 'string' &&
      parsed.error.message.length > 0;
    if (!ok) problems.push(`body ${body}`);
  } catch {
    problems.push(`body not JSON: ${body}`);
  }
  return problems;
}

const RESETS = new Set(['ECONNRESET', 'EPIPE']);

interface RoundSummary {
  sent: number;
  ok: number;
  created: number;
  drained: number;
  /** Sent before SIGTERM, answered after it: the requests the drain had to let finish. */
  inFlightAtSigterm: number;
  refused: number;
  /** Resets of requests on connections opened for them (never a request the server had parsed). */
  freshResets: number;
  problems: string[];
}

function summarize(outcomes: Outcome[], sigtermAt: number): RoundSummary {
  const s: RoundSummary = {
    sent: outcomes.length,
    ok: 0,
    created: 0,
    drained: 0,
    inFlightAtSigterm: 0,
    refused: 0,
    freshResets: 0,
    problems: [],
  };
  const firstDrainAt = Math.min(
    ...outcomes.filter((o) => o.status === 503).map((o) => o.settledAt),
    Number.POSITIVE_INFINITY,
  );
  const when = (o: Outcome) =>
    `${o.method} ${o.path} sent ${Math.round(o.sentAt - sigtermAt)} ms after SIGTERM on a ${o.reused ? 'reused' : 'new'} connection`;
  for (const o of outcomes) {
    if (o.sentAt < sigtermAt && o.settledAt >= sigtermAt) s.inFlightAtSigterm++;
    if (o.status !== undefined) {
      const expected = o.method === 'POST' ? 201 : 200;
      if (o.status === expected) {
        s.ok++;
        if (o.status === 201) s.created++;
        // Causality: the drain had begun before the client read its first 503.
        if (o.sentAt > firstDrainAt)
          s.problems.push(`${o.status} for a request sent during the drain: ${when(o)}`);
      } else if (o.status === 503) {
        s.drained++;
        const wrong = drainAnswerProblems(o.status, o.headers ?? {}, o.body ?? '');
        if (wrong.length) s.problems.push(`bad drain answer (${wrong.join('; ')}): ${when(o)}`);
      } else {
        s.problems.push(`unexpected ${o.status} ${o.body}: ${when(o)}`);
      }
      continue;
    }
    if (o.sentAt < sigtermAt) s.problems.push(`${o.error} before SIGTERM: ${when(o)}`);
    else if (o.error === 'ECONNREFUSED') s.refused++;
    else if (RESETS.has(o.error ?? '') && !o.reused) s.freshResets++;
    else if (RESETS.has(o.error ?? ''))
      s.problems.push(`reset (${o.message}) of a request on an open keep-alive connection: ${when(o)}`);
    else s.problems.push(`${o.error} (${o.message}): ${when(o)}`);
  }
  return s;
}

describeDialects('keyward serve shuts down gracefully', (create) => {
  let db: TestDatabase;
  const started: ServerProcess[] = [];
  /** A server for this test, killed afterwards if a failed assertion left it running. */
  const start = async (env: Record<string, string> = {}) => {
    const server = await startServerProcess({ KEYWARD_DATABASE_URL: db.url, ...env });
    started.push(server);
    return server;
  };
  beforeAll(async () => {
    db = await create();
  });
  afterEach(() => {
    for (const server of started.splice(0)) {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    }
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('SIGTERM under keep-alive load: answers are 2xx or the drain 503, nothing received is reset, writes and usage land, exit 0', async () => {
    const rounds: (RoundSummary & {
      exit: Exit;
      stderr: string;
      boardsInDb: number;
      usageRecorded: number;
    })[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const key = await mintKey(db, `load ${round}`);
      const server = await start();
      const load = startLoad({
        port: server.port,
        secret: key.secret,
        connections: CONNECTIONS,
        maxRequestsPerWorker: 2_000,
        maxMs: 15_000,
        tag: `r${round}`,
      });
      await load.warmedUp(4);
      // A different moment of the load each round.
      await new Promise((r) => setTimeout(r, [0, 90, 230][round] ?? 0));
      const sigtermAt = performance.now();
      const exit = await terminate(server);
      await load.done;
      const summary = summarize(load.outcomes, sigtermAt);
      rounds.push({
        ...summary,
        exit: { ...exit, ms: Math.round(exit.ms) },
        stderr: server.stderr(),
        boardsInDb: await boardCount(db, key.workspaceId),
        usageRecorded: await recordedRequests(db, key.credentialId),
      });
    }
    // Everything at once, so that a failure shows every round.
    const seen = rounds.map((r) => ({
      problems: r.problems.slice(0, 10),
      exitedZeroInTime: r.exit.code === 0 && r.exit.signal === null && r.exit.ms < EXIT_WITHIN_MS,
      everyCreatedBoardStored: r.boardsInDb === r.created,
      usageFlushed: r.usageRecorded === r.ok,
      drainedSomething: r.drained > 0 && r.inFlightAtSigterm > 0,
    }));
    const want = rounds.map(() => ({
      problems: [],
      exitedZeroInTime: true,
      everyCreatedBoardStored: true,
      usageFlushed: true,
      drainedSomething: true,
    }));
    expect(seen, JSON.stringify(rounds, null, 1)).toEqual(want);
  }, 90_000);

  it('an open idle keep-alive connection: a request after SIGTERM gets the drain 503; one left idle is closed cleanly', async () => {
    const key = await mintKey(db, 'idle');
    const server = await start();
    const auth = { authorization: `Bearer ${key.secret}` };
    const [asks, idle, racer] = await Promise.all([
      RawConnection.open(server.port),
      RawConnection.open(server.port),
      RawConnection.open(server.port),
    ]);
    for (const c of [asks, idle, racer]) expect((await c.get('/v1/ping', auth)).status).toBe(200);

    const sigtermAt = performance.now();
    const exit = terminate(server);
    // Written at once: the signal may not have been handled yet, so 200 and the drain 503 are both right.
    const raced = await racer.get('/v1/ping', auth).catch((err: Error) => err);
    await waitUntilDraining(server.port);
    const drained = await asks.get('/v1/ping', auth).catch((err: Error) => err);
    const [asksEnd, idleEnd, racerEnd] = await Promise.all([asks.ended, idle.ended, racer.ended]);
    const exited = await exit;

    expect(raced).not.toBeInstanceOf(Error);
    const r = raced as RawResponse;
    if (r.status !== 200) expect(drainAnswerProblems(r.status, r.headers, r.body)).toEqual([]);
    expect(drained).not.toBeInstanceOf(Error);
    const d = drained as RawResponse;
    expect(drainAnswerProblems(d.status, d.headers, d.body)).toEqual([]);
    // After `Connection: close` the server ends the connection: a FIN, not a reset.
    expect(asksEnd.how).toBe('end');
    // What happens to a connection nobody uses: the server closes it cleanly at the end of the drain
    // (~0.5 s), so a client sees the close before it could send anything.
    expect(idleEnd).toMatchObject({ how: 'end' });
    expect(idleEnd.at - sigtermAt).toBeGreaterThan(300);
    expect(racerEnd.how).toBe('end');
    expect(exited).toMatchObject({ code: 0, signal: null });
    expect(exited.ms).toBeLessThan(EXIT_WITHIN_MS);
  });

  it('requests received before SIGTERM finish (201, stored) during and after the drain; one stuck past KEYWARD_SHUTDOWN_GRACE is cut', async () => {
    const key = await mintKey(db, 'in flight');
    const server = await start({ KEYWARD_SHUTDOWN_GRACE: '2s' });
    const [duringDrain, afterDrain, stuck] = await Promise.all([
      RawConnection.open(server.port),
      RawConnection.open(server.port),
      RawConnection.open(server.port),
    ]);
    // Headers now (the server has received the request), bodies later.
    const body = (name: string) => JSON.stringify({ name });
    const head = (b: string) =>
      `POST /v1/boards HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${key.secret}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(b)}\r\n\r\n`;
    const [first, second] = [body('during the drain'), body('after the drain')];
    duringDrain.write(head(first));
    afterDrain.write(head(second));
    stuck.write(head(body('never finished')));
    await new Promise((r) => setTimeout(r, 200));

    const sigtermAt = performance.now();
    const exit = terminate(server);
    await waitUntilDraining(server.port);
    duringDrain.write(first);
    const created = await duringDrain.answer();
    // The next request on that connection: the drain 503, or (if the drain ended first) a clean close.
    const next = await duringDrain
      .get('/v1/ping', { authorization: `Bearer ${key.secret}` })
      .catch((e: Error) => e);
    // The listener and the idle connections are gone after ~0.5 s; this request is still open.
    await new Promise((r) => setTimeout(r, Math.max(0, sigtermAt + 900 - performance.now())));
    afterDrain.write(second);
    const late = await afterDrain.answer();
    const [stuckEnd, exited] = await Promise.all([stuck.ended, exit]);

    expect(created.status).toBe(201);
    if (next instanceof Error) expect(duringDrain.closed?.how).toBe('end');
    else expect(drainAnswerProblems(next.status, next.headers, next.body)).toEqual([]);
    expect(late.status).toBe(201);
    expect(await boardCount(db, key.workspaceId)).toBe(2);
    // Cut at the grace (2 s), not held until Node's request timeout; the process still exits 0.
    expect(stuckEnd.at - sigtermAt).toBeGreaterThan(1_500);
    expect(exited).toMatchObject({ code: 0, signal: null });
    expect(exited.ms).toBeLessThan(2_000 + EXIT_WITHIN_MS);
  });

  it('a port already in use: the second `keyward serve` exits non-zero within seconds, saying EADDRINUSE', async () => {
    const first = await start();
    try {
      const second = await runCliWithin(
        ['serve', '--port', String(first.port)],
        { KEYWARD_DATABASE_URL: db.url, HOST: '127.0.0.1', KEYWARD_LOG_LEVEL: 'silent' },
        15_000,
      );
      expect({ timedOut: second.timedOut, failed: second.code !== 0 && second.code !== null }).toEqual({
        timedOut: false,
        failed: true,
      });
      expect(second.stderr).toMatch(/EADDRINUSE/);
      // The failed start left the running server alone.
      expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    } finally {
      await first.stop();
    }
  });
});

describe('keyward serve with an invalid configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits non-zero with a message naming the bad setting', async () => {
    const env = { KEYWARD_DATABASE_URL: `sqlite:${join(dir, 'keyward.db')}`, HOST: '127.0.0.1' };
    const [port, grace] = await Promise.all([
      runCliWithin(['serve'], { ...env, PORT: 'abc' }, 10_000),
      runCliWithin(['serve', '--port', '0'], { ...env, KEYWARD_SHUTDOWN_GRACE: 'soon' }, 10_000),
    ]);
    expect([port.timedOut, port.code]).toEqual([false, 1]);
    expect(port.stderr).toMatch(/PORT/);
    expect([grace.timedOut, grace.code]).toEqual([false, 1]);
    expect(grace.stderr).toMatch(/KEYWARD_SHUTDOWN_GRACE/);
  });
});

/** Polls with fresh connections until the server answers the drain 503 (bounded). */
async function waitUntilDraining(port: number): Promise<void> {
  const deadline = performance.now() + 3_000;
  while (performance.now() < deadline) {
    const status = await new Promise<number>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
    });
    if (status === 503) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the server never started draining');
}
