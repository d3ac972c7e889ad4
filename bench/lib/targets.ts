/** The targets of issue 4, checked against a run's rows. */
import type { Row } from './report.ts';

export interface Check {
  target: string;
  measured: string;
  met: boolean | undefined;
}

const f2 = (n: number) => n.toFixed(2);

export function checkTargets(
  rows: readonly Row[],
  writes: string | undefined,
  writesOk: boolean | undefined,
): Check[] {
  const byId = (id: string) => rows.find((r) => r.id === id);
  const rps = (id: string) => byId(id)?.measured?.rps;
  const ratio = (a: string, b: string, min: number, target: string): Check => {
    const x = rps(a);
    const y = rps(b);
    if (x === undefined || y === undefined) return { target, measured: 'not measured', met: undefined };
    return { target, measured: `${((x / y) * 100).toFixed(0)} %`, met: x / y >= min };
  };
  // CPU per request does not depend on what else the machine runs, so it backs up the scale check.
  const cpu1k = byId('scale-1k')?.cpuUsPerRequest;
  const cpu1m = byId('scale-1m')?.cpuUsPerRequest;
  const cpuCheck: Check =
    cpu1k === undefined || cpu1m === undefined
      ? {
          target: '1 M credentials: CPU per request within 10 % of 1 k',
          measured: 'not measured',
          met: undefined,
        }
      : {
          target: '1 M credentials: CPU per request within 10 % of 1 k',
          measured: `${Math.round(cpu1m)} vs ${Math.round(cpu1k)} µs`,
          met: cpu1m <= cpu1k * 1.1,
        };
  const cpuBase = byId('baseline')?.cpuUsPerRequest;
  const cpuMem = byId('memory')?.cpuUsPerRequest;
  const cpuRatio: Check =
    cpuBase === undefined || cpuMem === undefined
      ? {
          target: 'the same on CPU per request (baseline CPU / keyward CPU)',
          measured: 'not measured',
          met: undefined,
        }
      : {
          target: 'the same on CPU per request (baseline CPU / keyward CPU)',
          measured: `${Math.round(cpuBase)} / ${Math.round(cpuMem)} µs = ${((cpuBase / cpuMem) * 100).toFixed(0)} %`,
          met: cpuBase / cpuMem >= 0.9,
        };
  return [
    ratio('memory', 'baseline', 0.9, 'keyward memory ≥ 90 % of baseline req/s'),
    cpuRatio,
    p99Check(byId),
    ratio('scale-1m', 'scale-1k', 0.9, '1 M credentials: req/s ≥ 90 % of 1 k'),
    cpuCheck,
    ratio('redis-1', 'memory', 0.6, 'keyward redis (one instance) ≥ 60 % of memory'),
    ratio('redis-2', 'redis-1', 1.0000001, 'two redis instances together > one'),
    ratio('verify', 'memory', 0.8, 'verify ≥ 80 % of keyward memory'),
    ratio('write-sqlite', 'write-sqlite-bare', 0.5, 'SQLite write ≥ 50 % of a bare better-sqlite3 insert'),
    ratio('write-postgres', 'write-postgres-bare', 0.5, 'PostgreSQL write ≥ 50 % of a bare pg insert'),
    {
      target: '0 database writes per request on the hot path',
      measured: writes ?? 'not measured',
      met: writesOk,
    },
  ];
}

/**
 * "p99 ≤ 2 ms at 50 connections", judged on the paced row when it ran: at a fixed offered load below
 * saturation, latency is the server's. The closed-loop rows saturate the server, so their p99 is
 * mostly the queue 50 connections build (mean = 50 / throughput), and the bare baseline misses 2 ms
 * there too; both saturated figures are still given, named as such.
 */
function p99Check(byId: (id: string) => Row | undefined): Check {
  const target = 'keyward memory p99 ≤ 2 ms at 50 connections';
  const p99 = (id: string) => byId(id)?.measured?.latency.p99;
  const ms = (x: number | undefined) => (x === undefined ? 'not measured' : `${f2(x)} ms`);
  const saturated = `saturated (closed loop): memory ${ms(p99('memory'))}, the baseline's own ${ms(p99('baseline'))}`;
  const paced = byId('memory-paced')?.measured;
  if (!paced?.paced) {
    const p = p99('memory');
    return {
      target,
      measured: p === undefined ? 'not measured' : saturated,
      met: p === undefined ? undefined : p <= 2,
    };
  }
  const rate = (n: number) => Math.round(n).toLocaleString('en-US');
  const base = p99('baseline-paced');
  return {
    target,
    measured: `${f2(paced.latency.p99)} ms at ${rate(paced.paced.offered)} req/s offered (paced, ${rate(paced.rps)} achieved; the baseline at the same rate ${ms(base)}); ${saturated}`,
    met: paced.latency.p99 <= 2,
  };
}

export function checksMarkdown(checks: readonly Check[]): string {
  const mark = (met: boolean | undefined) => (met === undefined ? 'n/a' : met ? 'met' : '**not met**');
  return [
    '| target | measured | |',
    '|---|---:|---|',
    ...checks.map((c) => `| ${c.target} | ${c.measured} | ${mark(c.met)} |`),
  ].join('\n');
}
