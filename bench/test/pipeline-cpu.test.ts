import { describe, expect, it } from 'vitest';
import { processCpuSeconds } from '../src/pipeline/cpu.js';

describe('processCpuSeconds', () => {
  it('reads a process CPU time from /proc (Linux), which grows while it computes', () => {
    const before = processCpuSeconds(process.pid);
    expect(before).toBeGreaterThan(0);
    const started = process.cpuUsage();
    let x = 0;
    while (process.cpuUsage(started).user < 200_000) x += Math.sqrt(x + 1);
    expect(x).toBeGreaterThan(0);
    const after = processCpuSeconds(process.pid)!;
    // /proc counts in hundredths of a second: 0.2 s of CPU shows as at least 0.15 s more.
    expect(after - before!).toBeGreaterThanOrEqual(0.15);
  });

  it('is undefined for a process that does not exist', () => {
    expect(processCpuSeconds(2 ** 22 + 1)).toBeUndefined();
  });
});
