/**
 * How a service started from the command line ends: the first SIGTERM/SIGINT
 * closes it gracefully and exits 0 (1 when closing failed); a second signal
 * exits 1 at once, for an operator who will not wait. The collector and the
 * pipeline end the same way, so a supervisor can treat them alike.
 */

/** What the process is running. */
export interface Closable {
  close(): Promise<void>;
}

/** The part of `process` this needs: tests hand in a fake, since a real exit would end the test run. */
export interface SignalHost {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
  stderr: { write(text: string): unknown };
}

export interface RunOptions {
  /**
   * Settles with the line to log when the service stopped working on its own:
   * it is closed and the process exits 1, so whatever supervises it restarts it.
   */
  failure?: Promise<string>;
  host?: SignalHost;
}

export function runUntilSignal(service: Closable, { failure, host = process }: RunOptions = {}): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      host.stderr.write(`${signal} again: exiting without waiting\n`);
      host.exit(1);
      // A real exit never returns; a fake one does, and must not close twice.
      return;
    }
    stopping = true;
    service.close().then(
      () => host.exit(0),
      (error: unknown) => {
        host.stderr.write(`shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
        host.exit(1);
      },
    );
  };
  host.on('SIGTERM', stop);
  host.on('SIGINT', stop);

  void failure?.then((line) => {
    if (stopping) return;
    stopping = true;
    host.stderr.write(`${line}\n`);
    // Exit 1 whether or not closing worked: the failure already decided the code.
    const exitFailed = (): void => host.exit(1);
    service.close().then(exitFailed, exitFailed);
  });
}
