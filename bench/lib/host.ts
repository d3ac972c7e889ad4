/**
 * What the host does to the run, apart from our code: the hypervisor's steal time (CPU time the
 * virtual CPUs wanted and the host gave to someone else, Linux's `steal` in /proc/stat), and how
 * long a process that wants to run is kept from running when both CPUs are busy.
 *
 * Why: on a shared virtual machine a busy vCPU is taken away for whole milliseconds at a time. A
 * server frozen for 5 ms answers the requests of those 5 ms late whatever its code does, so a p99 in
 * milliseconds, and req/s, move with the host. The bench reports both so a row measured while the
 * host took CPU away can be told from a slower server.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Aggregate CPU ticks of the machine: all states, and steal. Undefined where /proc/stat is missing. */
export interface CpuTicks {
  total: number;
  steal: number;
}

export function cpuTicks(): CpuTicks | undefined {
  try {
    const line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!;
    // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is in user)
    const [name, ...rest] = line.trim().split(/\s+/);
    if (name !== 'cpu' || rest.length < 8) return undefined;
    const ticks = rest.slice(0, 8).map(Number);
    return { total: ticks.reduce((a, b) => a + b, 0), steal: ticks[7]! };
  } catch {
    return undefined;
  }
}

/** Adds up the ticks of several stretches of time (the slices of one row). */
export class StealMeter {
  private total = 0;
  private steal = 0;
  private from: CpuTicks | undefined;

  start(): void {
    this.from = cpuTicks();
  }

  stop(): void {
    const to = cpuTicks();
    if (!this.from || !to) return;
    this.total += to.total - this.from.total;
    this.steal += to.steal - this.from.steal;
    this.from = undefined;
  }

  /** Share of the machine's CPU time the host took, undefined when it could not be read. */
  get share(): number | undefined {
    return this.total > 0 ? this.steal / this.total : undefined;
  }
}

export interface StallProbe {
  /** Share of the probe's time in which a spinning process did not run. */
  lostShare: number;
  /** The longest time a spinning process did not run, ms. */
  longestMs: number;
  /** Times per second a spinning process did not run for 1 ms or more. */
  stopsPerSec: number;
  /** The machine's steal share during the probe. */
  steal: number | undefined;
}

/** The probe's child: spins, reading the clock; every gap above 50 µs is time it did not run. */
const SPINNER = `
const ms = Number(process.argv[1]);
let last = performance.now();
const end = last + ms;
let lost = 0, longest = 0, stops = 0;
for (;;) {
  const now = performance.now();
  const gap = now - last;
  if (gap > 0.05) { lost += gap; if (gap > longest) longest = gap; if (gap >= 1) stops++; }
  last = now;
  if (now > end) break;
}
process.stdout.write(JSON.stringify({ lost, longest, stops }));
`;

/**
 * One spinning process per CPU for `ms`: with every CPU wanted, how much of the time each was not
 * running. On bare metal with nothing else running this is well under 1 %, with no stop of 1 ms.
 */
export async function probeStalls(cpus: number, ms = 3_000): Promise<StallProbe> {
  const meter = new StealMeter();
  meter.start();
  const runs = await Promise.all(
    Array.from(
      { length: cpus },
      () =>
        new Promise<{ lost: number; longest: number; stops: number }>((resolve, reject) => {
          const child = spawn(process.execPath, ['-e', SPINNER, String(ms)], {
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          let out = '';
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
          });
          child.once('error', reject);
          child.once('exit', (code) =>
            code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`stall probe exited ${code}`)),
          );
        }),
    ),
  );
  meter.stop();
  return {
    lostShare: runs.reduce((a, r) => a + r.lost, 0) / (ms * cpus),
    longestMs: Math.max(...runs.map((r) => r.longest)),
    stopsPerSec: runs.reduce((a, r) => a + r.stops, 0) / (ms / 1000) / cpus,
    steal: meter.share,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

export function describeProbe(p: StallProbe): string {
  const steal = p.steal === undefined ? '' : `; host steal ${pct(p.steal)}`;
  return `a spinning process per CPU was stopped ${pct(p.lostShare)} of the time, ${p.stopsPerSec.toFixed(1)} stops of ≥ 1 ms per second, the longest ${p.longestMs.toFixed(1)} ms${steal}`;
}
