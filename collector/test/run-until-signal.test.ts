import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { runUntilSignal, type SignalHost } from '../src/process/run-until-signal.js';

/** A process that records its exits and its stderr instead of ending the test run. */
class FakeProcess extends EventEmitter implements SignalHost {
  readonly exits: number[] = [];
  readonly lines: string[] = [];
  readonly stderr = { write: (text: string) => this.lines.push(text) };
  exit(code: number): void {
    this.exits.push(code);
  }
  signal(name: NodeJS.Signals): void {
    this.emit(name, name);
  }
}

/** A service whose close the test settles when it chooses. */
class FakeService {
  closes = 0;
  private settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  close(): Promise<void> {
    this.closes++;
    return new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
  }
  closed(): void {
    this.settle?.resolve();
  }
  failsToClose(error: Error): void {
    this.settle?.reject(error);
  }
}

/** Lets every promise callback queued so far run. */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

function run(failure?: Promise<string>) {
  const host = new FakeProcess();
  const service = new FakeService();
  runUntilSignal(service, failure === undefined ? { host } : { host, failure });
  return { host, service };
}

describe('runUntilSignal', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('closes on %s and exits 0 only once closed', async (signal) => {
    const { host, service } = run();
    host.signal(signal);
    await settled();
    expect(service.closes).toBe(1);
    expect(host.exits).toEqual([]);

    service.closed();
    await settled();
    expect(host.exits).toEqual([0]);
    expect(host.lines).toEqual([]);
  });

  it('exits 1 and says why when closing fails', async () => {
    const { host, service } = run();
    host.signal('SIGTERM');
    service.failsToClose(new Error('kafka went away'));
    await settled();
    expect(host.exits).toEqual([1]);
    expect(host.lines).toEqual(['shutdown failed: kafka went away\n']);
  });

  it('exits 1 at once on a second signal, without closing again', async () => {
    const { host, service } = run();
    host.signal('SIGTERM');
    host.signal('SIGINT');
    expect(host.exits).toEqual([1]);
    expect(host.lines).toEqual(['SIGINT again: exiting without waiting\n']);
    expect(service.closes).toBe(1);
  });

  it('closes and exits 1 when the service fails on its own, whether or not closing works', async () => {
    for (const closing of ['works', 'fails'] as const) {
      const { host, service } = run(Promise.resolve('a stage stopped consuming: gave up; exiting'));
      await settled();
      expect(host.lines).toEqual(['a stage stopped consuming: gave up; exiting\n']);
      expect(service.closes).toBe(1);
      expect(host.exits).toEqual([]);

      if (closing === 'works') service.closed();
      else service.failsToClose(new Error('redis went away'));
      await settled();
      expect(host.exits).toEqual([1]);
      expect(host.lines).toHaveLength(1);
    }
  });

  it('ignores a failure once a signal is shutting the service down', async () => {
    let fail: (line: string) => void = () => {};
    const { host, service } = run(new Promise<string>((resolve) => (fail = resolve)));
    host.signal('SIGTERM');
    fail('a stage stopped consuming; exiting');
    await settled();
    service.closed();
    await settled();
    expect(service.closes).toBe(1);
    expect(host.exits).toEqual([0]);
    expect(host.lines).toEqual([]);
  });

  it('treats a signal after a failure as the second one', async () => {
    const { host, service } = run(Promise.resolve('a stage stopped consuming; exiting'));
    await settled();
    host.signal('SIGTERM');
    expect(host.exits).toEqual([1]);
    expect(host.lines).toEqual(['a stage stopped consuming; exiting\n', 'SIGTERM again: exiting without waiting\n']);
    expect(service.closes).toBe(1);
  });
});
