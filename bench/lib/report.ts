/** The results table (console and Markdown), and latest.md / latest.json. */
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Measured } from './drive.ts';
import { ROOT } from './processes.ts';
import { loadAverage, machine, settings } from './settings.ts';
import { checksMarkdown, checkTargets } from './targets.ts';

export interface Row {
  id: string;
  label: string;
  measured?: Measured;
  /** Server CPU time (user + system, all instances) per response in the measured window, µs. */
  cpuUsPerRequest?: number;
  /** Resident set size of the server process(es) after the run, MiB. */
  rss?: number[];
  /** Peak resident set size of the server process(es) over their life, MiB. */
  peakRss?: number[];
  /** 1-minute load average of the machine while the row was measured (other work competes for the CPUs). */
  load?: number;
  /** Share of the machine's CPU time the hypervisor took while the row was measured (bench/lib/host.ts). */
  steal?: number;
  /** Why the row did not run. */
  skipped?: string;
  notes?: string[];
}

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);

/** The baseline row's figures every other row is compared with. */
export interface Reference {
  rps: number;
  cpuUsPerRequest: number | undefined;
}

/**
 * The closed-loop rows are compared with `baseline`; the paced rows with `baseline-paced`, on CPU
 * only: their req/s is the offered rate, so a ratio of it says nothing (their latency is the point),
 * and CPU per request at a fixed rate below saturation is higher than at saturation (fewer requests
 * share each wake-up), so it is compared with the baseline at the same rate.
 */
export interface References {
  closed: Reference | undefined;
  paced: Reference | undefined;
}

/** Below this share of the offered rate a paced row did not get the load it asked for. */
const KEPT_UP = 0.95;
const count = (n: number) => Math.round(n).toLocaleString('en-US');

function pacedNotes(m: Measured): string[] {
  const p = m.paced;
  if (!p) return [];
  const notes = [
    `offered ${count(p.offered)} req/s; in flight ≤ ${count(p.maxInFlight)}; generator lag p99 ≤ ${f2(p.sendLagP99)} ms`,
  ];
  if (m.rps < p.offered * KEPT_UP) {
    const unsent = p.unsent ? `; ${count(p.unsent)} requests due were never sent` : '';
    notes.push(
      `could not keep up: ${percent(m.rps / p.offered)} of the offered rate (the server, or the machine with the generator on it)${unsent}`,
    );
  }
  if (m.generatorCpuUsPerRequest !== undefined)
    notes.push(`generator ${Math.round(m.generatorCpuUsPerRequest)} µs CPU/req`);
  return notes;
}

const percent = (x: number) => `${(x * 100).toFixed(0)} %`;

function cells(row: Row, refs: References): string[] {
  const m = row.measured;
  const load = row.load === undefined ? '–' : row.load.toFixed(1);
  const steal = row.steal === undefined ? '–' : percent(row.steal);
  if (!m) return [row.label, '–', '–', '–', '–', '–', '–', '–', '–', load, steal, row.skipped ?? ''];
  const baseline = m.paced ? refs.paced : refs.closed;
  const notes = [...(row.notes ?? []), ...pacedNotes(m)];
  if (m.failures > 0) {
    const codes = Object.entries(m.statusCodes)
      .filter(([c]) => !c.startsWith('2'))
      .map(([c, n]) => `${n}×${c}`);
    notes.push(`${m.failures} failed (${codes.join(', ') || 'socket errors'})`);
  }
  return [
    row.label,
    Math.round(m.rps).toLocaleString('en-US'),
    f2(m.latency.p50),
    f2(m.latency.p99),
    f1(m.latency.max),
    m.paced ? 'n/a' : baseline ? percent(m.rps / baseline.rps) : '–',
    // What the req/s ratio would be if the server, not the machine, were the limit: baseline CPU / row CPU.
    baseline?.cpuUsPerRequest && row.cpuUsPerRequest
      ? percent(baseline.cpuUsPerRequest / row.cpuUsPerRequest)
      : '–',
    row.cpuUsPerRequest === undefined || Number.isNaN(row.cpuUsPerRequest)
      ? '–'
      : Math.round(row.cpuUsPerRequest).toString(),
    row.rss?.length
      ? row.rss.map((r, i) => `${Math.round(r)} (${Math.round(row.peakRss?.[i] ?? Number.NaN)})`).join(' + ')
      : '–',
    load,
    steal,
    notes.join('; '),
  ];
}

const HEAD = [
  'row',
  'req/s',
  'p50 ms',
  'p99 ms',
  'max ms',
  'vs baseline',
  'CPU vs baseline',
  'CPU µs/req',
  'RSS MiB (peak)',
  'load',
  'steal',
  'notes',
];
const LEFT = new Set([0, HEAD.length - 1]);

export function markdownTable(rows: readonly Row[], baseline: References): string {
  const lines = [
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map((_, i) => (LEFT.has(i) ? '---' : '---:')).join('|')}|`,
  ];
  for (const row of rows) lines.push(`| ${cells(row, baseline).join(' | ')} |`);
  return lines.join('\n');
}

export function consoleTable(rows: readonly Row[], baseline: References): string {
  const all = [HEAD, ...rows.map((r) => cells(r, baseline))];
  const widths = HEAD.map((_, i) => Math.max(...all.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (LEFT.has(i) ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

export interface ReportInput {
  rows: Row[];
  writes: { text: string; ok: boolean } | undefined;
  totalSec: number;
  startLoad: string;
  /** The stall probe's findings at the start (bench/lib/host.ts). */
  host: string;
  resultsDir: string;
  /** A subset of rows (BENCH_ONLY): written to partial.json only, latest.md is left alone. */
  partial: boolean;
  redisNote: string | undefined;
}

/** The order of the table, whatever order the rows were measured in. */
const ORDER = [
  'baseline',
  'memory',
  'baseline-1c',
  'memory-1c',
  'baseline-paced',
  'memory-paced',
  'writes',
  'baseline-post',
  'verify',
  'redis-1',
  'redis-2',
  'write-sqlite',
  'write-postgres',
  'scale-1k',
  'scale-100k',
  'scale-1m',
  'rotate',
  'rotate-miss',
];

function revision(): string {
  try {
    const head = execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain -- src', { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${head} (src/ has uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
}

/** Writes latest.md and latest.json (or partial.json) and returns the console report. */
export function writeReport(input: ReportInput): string {
  const rows = [...input.rows].sort((a, b) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id));
  const reference = (id: string): Reference | undefined => {
    const r = rows.find((x) => x.id === id);
    return r?.measured ? { rps: r.measured.rps, cpuUsPerRequest: r.cpuUsPerRequest } : undefined;
  };
  const baseline: References = { closed: reference('baseline'), paced: reference('baseline-paced') };
  const checks = checkTargets(rows, input.writes?.text, input.writes?.ok);
  const interleaved = `${settings.warmupSec} s warm-up each, then ${settings.durationSec} s measured in slices of ~${settings.sliceSec} s taken in turn`;
  const markdown = [
    '# Keyward benchmark: latest run',
    '',
    `Produced by \`npm run bench\`${settings.quick ? ' (BENCH_QUICK=1)' : ''} on ${new Date().toISOString()}, revision ${revision()}.`,
    `Machine: ${machine()}. Load average at start ${input.startLoad}, at end ${loadAverage()}.`,
    `Host, probed before the run: ${input.host}.`,
    `${settings.connections} connections; autocannon in separate processes on the same machine (the paced rows: ${count(settings.pacedRate)} req/s offered, open loop, bench/lib/paced.ts). Rows from baseline to scale are measured interleaved (${interleaved}); the others alone (${settings.warmupSec} s warm-up, ${settings.durationSec} s measured). Whole run: ${input.totalSec.toFixed(0)} s.`,
    'Method and what the columns mean: [docs/performance.md](../../docs/performance.md).',
    '',
    markdownTable(rows, baseline),
    '',
    '## Targets (issue 4)',
    '',
    checksMarkdown(checks),
    '',
    `Database writes during the counted run: ${input.writes?.text ?? 'not measured'}.`,
    ...(input.redisNote ? ['', `Redis: ${input.redisNote}.`] : []),
    '',
  ].join('\n');
  if (!input.partial) writeFileSync(join(input.resultsDir, 'latest.md'), markdown);
  const json = {
    settings: { ...settings, only: settings.only ? [...settings.only] : undefined },
    rows,
    checks,
    writes: input.writes,
    totalSec: input.totalSec,
  };
  writeFileSync(
    join(input.resultsDir, input.partial ? 'partial.json' : 'latest.json'),
    JSON.stringify(json, null, 2),
  );

  const mark = (met: boolean | undefined) => (met === undefined ? ' n/a' : met ? '  ok' : 'MISS');
  return [
    '',
    consoleTable(rows, baseline),
    '',
    ...checks.map((c) => `${mark(c.met)}  ${c.target}: ${c.measured}`),
    ...(input.writes ? ['', `writes: ${input.writes.text}`] : []),
    '',
    `whole run: ${input.totalSec.toFixed(0)} s; ${input.partial ? 'subset: latest.md left as it was' : 'written to bench/results/latest.md'}`,
  ].join('\n');
}
