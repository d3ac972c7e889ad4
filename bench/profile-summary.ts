/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function, self time by package
 * or source file, and inclusive time of Keyward's own functions, as percentages of busy time (idle
 * excluded). Positions in our own TypeScript are mapped back through tsx's source maps
 * (bench/lib/tsx-source-map.ts); node_modules and node: positions are 1-based lines as V8 ran them.
 *
 *   node --import tsx bench/profile-summary.ts PROFILE.cpuprofile [top=25] [fromMs] [toMs]
 */
import { readFileSync } from 'node:fs';
import { originalLine } from './lib/tsx-source-map.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ROOT = new URL('..', import.meta.url).href;
const NOT_BUSY = new Set(['(idle)', '(program)']);
const SOCKET_WRITES = new Set(['writev', 'writeUtf8String', 'writeBuffer']);

function where(frame: CallFrame): string {
  if (!frame.url) return '';
  const url = frame.url.startsWith(ROOT) ? frame.url.slice(ROOT.length) : frame.url;
  // Our TypeScript ran through tsx: map back to the .ts line (marked `?` when that is not possible).
  if (frame.url.startsWith(ROOT) && !frame.url.includes('/node_modules/')) {
    const file = frame.url.slice('file://'.length);
    const line = originalLine(file, frame.lineNumber, frame.columnNumber, frame.functionName);
    return `${url}:${line ?? '?'}`;
  }
  return `${url.replace(/^file:\/\//, '')}:${frame.lineNumber + 1}`;
}

/** The package (node_modules/<name>), `node:` internals, a src/ file, or a V8 pseudo-frame. */
function groupOf(frame: CallFrame): string {
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url)?.[1];
  if (pkg) return pkg;
  if (frame.url.startsWith('node:')) return 'node: internals';
  return frame.url.startsWith(ROOT) ? frame.url.slice(ROOT.length) : frame.url;
}

export interface Summary {
  busyMs: number;
  idleMs: number;
  selfByFunction: [string, number][];
  selfByGroup: [string, number][];
  inclusiveKeyward: [string, number][];
}

/** Samples outside [fromMs, toMs] (since the profile started) are left out: startup, shutdown. */
export interface Window {
  fromMs?: number;
  toMs?: number;
}

export function summarise(profile: CpuProfile, window: Window = {}): Summary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<string, number>();
  const group = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

  let at = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    at += dt;
    if (at < (window.fromMs ?? 0) || at > (window.toMs ?? Number.POSITIVE_INFINITY)) continue;
    const node = byId.get(profile.samples[i]!)!;
    const frame = node.callFrame;
    if (NOT_BUSY.has(frame.functionName)) {
      idle += dt;
      continue;
    }
    busy += dt;
    add(self, `${frame.functionName || '(anonymous)'}  ${where(frame)}`, dt);
    add(group, groupOf(frame), dt);
    // Inclusive time of src/ functions: each distinct function on the stack counts once per sample.
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (!f.url.includes('/src/')) continue;
      const key = `${f.functionName || '(anonymous)'}  ${where(f)}`;
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusive, key, dt);
      }
    }
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    busyMs: busy,
    idleMs: idle,
    selfByFunction: sorted(self),
    selfByGroup: sorted(group),
    inclusiveKeyward: sorted(inclusive),
  };
}

/** `requests` (served in the window), when known, adds µs of busy time per request to each line. */
export function formatSummary(s: Summary, top: number, requests?: number): string {
  const pct = (ms: number) => `${((ms / s.busyMs) * 100).toFixed(1).padStart(5)} %`;
  const per = (ms: number) => (requests ? `${((ms * 1000) / requests).toFixed(2).padStart(7)} µs/req` : '');
  const list = (title: string, rows: [string, number][]) =>
    [
      title,
      ...rows
        .slice(0, top)
        .map(([k, ms]) => `  ${pct(ms)}  ${ms.toFixed(0).padStart(6)} ms ${per(ms)}  ${k}`),
    ].join('\n');
  // The sampler counts wall time: a socket write that gets the thread preempted (the woken load
  // generator runs) looks long. /proc CPU time is the better total; these lines rank the rest.
  const syscalls = s.selfByFunction
    .filter(([k]) => SOCKET_WRITES.has(k.trim()))
    .reduce((sum, [, ms]) => sum + ms, 0);
  return [
    `busy ${s.busyMs.toFixed(0)} ms, idle ${s.idleMs.toFixed(0)} ms (percentages are of busy time)` +
      (requests ? `; ${requests.toLocaleString('en-US')} requests, ${per(s.busyMs).trim()} busy` : ''),
    `socket-write syscalls (writev, writeUtf8String): ${pct(syscalls).trim()} of busy` +
      (requests ? `, ${per(syscalls).trim()}; everything else ${per(s.busyMs - syscalls).trim()}` : ''),
    '',
    list('self time by function', s.selfByFunction),
    '',
    list('self time by package / file', s.selfByGroup),
    '',
    list('inclusive time of src/ functions', s.inclusiveKeyward),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, top = '25', fromMs, toMs] = process.argv.slice(2);
  if (!path) {
    console.error('usage: node --import tsx bench/profile-summary.ts PROFILE.cpuprofile [top]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const window = { fromMs: fromMs ? Number(fromMs) : undefined, toMs: toMs ? Number(toMs) : undefined };
  console.log(formatSummary(summarise(profile, window), Number(top)));
}
