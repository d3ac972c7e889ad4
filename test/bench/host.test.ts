/** The bench's host probes (bench/lib/host.ts): steal from /proc/stat and the stall probe. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuTicks, describeProbe, probeStalls, StealMeter } from '../../bench/lib/host.ts';

const linux = existsSync('/proc/stat');

describe.runIf(linux)('host probes', () => {
  it('reads the aggregate CPU ticks, steal among them', () => {
    const a = cpuTicks()!;
    const spinUntil = performance.now() + 50;
    while (performance.now() < spinUntil);
    const b = cpuTicks()!;
    expect(a.steal).toBeGreaterThanOrEqual(0);
    expect(a.steal).toBeLessThanOrEqual(a.total);
    expect(b.total).toBeGreaterThan(a.total); // 50 ms of spinning is at least a few ticks
  });

  it('adds up the steal of several stretches into one share', () => {
    const meter = new StealMeter();
    expect(meter.share).toBeUndefined();
    for (let i = 0; i < 2; i++) {
      meter.start();
      const spinUntil = performance.now() + 30;
      while (performance.now() < spinUntil);
      meter.stop();
    }
    expect(meter.share).toBeGreaterThanOrEqual(0);
    expect(meter.share).toBeLessThan(1);
  });

  it('probes how long spinning processes are kept from running', async () => {
    const probe = await probeStalls(1, 300);
    expect(probe.lostShare).toBeGreaterThanOrEqual(0);
    expect(probe.lostShare).toBeLessThan(1);
    expect(probe.longestMs).toBeGreaterThanOrEqual(0);
    expect(probe.longestMs).toBeLessThan(300);
    expect(describeProbe(probe)).toMatch(/stopped \d+\.\d % of the time, [\d.]+ stops .* longest [\d.]+ ms/);
  });
});
