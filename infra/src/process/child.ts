/**
 * A child process of the local stack: its output goes to a log file, and it is
 * stopped through its own handle (its process group), never by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';


export interface ChildOptions {
  /** A short name for messages, e.g. `kafka`. */
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or signal name) when the process ends, however it ends. */
  readonly exited: Promise<number | string>;
  isRunning(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the whole process group, as a crash would end it; resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT to the whole process group: a process that stalls (a long GC pause, a starved VM) and comes back. */
  pause(): void;
  resume(): void;
}

/** Every child started here and still running, so an interrupted run can stop them (`stopAllChildren`). */
const running = new Set<Child>();

/**
 * Stops every child this process started and has not stopped yet, each by its
 * own handle: for a command interrupted (Ctrl-C) in the middle of its work,
 * whose `finally` blocks will not run, so no broker or server outlives it.
 */
export async function stopAllChildren(graceMs = 10_000): Promise<void> {
  await Promise.all([...running].map((child) => child.stop(graceMs).catch(() => undefined)));
}

export function startChild(opts: ChildOptions): Child {
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  // detached: the child leads its own process group, so stop() reaches the
  // whole tree (wrangler starts workerd, npm scripts start node) and nothing else.
  const proc: ChildProcess = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  proc.stdout?.pipe(log, { end: false });
  proc.stderr?.pipe(log, { end: false });
  if (proc.pid === undefined) throw new Error(`${opts.name}: could not start ${opts.command}`);
  const pid = proc.pid;

  let alive = true;
  const exited = new Promise<number | string>((resolve) => {
    proc.once('error', (err) => {
      alive = false;
      log.end(`\n[${opts.name}] failed to start: ${err.message}\n`);
      resolve('error');
    });
    proc.once('exit', (code, signal) => {
      alive = false;
      resolve(code ?? signal ?? 'unknown');
    });
  });
  // The log ends once the child's pipes are closed, not at its exit: output still in a pipe when it exits is
  // written after 'exit', and a stream ended then throws ERR_STREAM_WRITE_AFTER_END.
  proc.once('close', () => {
    if (!log.writableEnded) log.end();
  });
  void exited.then(() => {
    running.delete(child);
  });

  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  };

  const child: Child = {
    name: opts.name,
    pid,
    logFile: opts.logFile,
    exited,
    isRunning: () => alive,
    async stop(graceMs = 15_000) {
      if (!alive) return;
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Children of the leader that ignored SIGTERM go with the group.
      signalGroup('SIGKILL');
    },
    async kill() {
      if (!alive) return;
      signalGroup('SIGKILL');
      await exited;
    },
    pause: () => signalGroup('SIGSTOP'),
    resume: () => signalGroup('SIGCONT'),
  };
  running.add(child);
  return child;
}

/** Polls `probe` until it resolves true; fails early if the child exits, or after `timeoutMs`. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  opts: { timeoutMs: number; intervalMs?: number; child?: Child },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError = '';
  for (;;) {
    if (opts.child && !opts.child.isRunning()) {
      throw new Error(`${what}: ${opts.child.name} exited before it was ready; see ${opts.child.logFile}`);
    }
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) {
      const where = opts.child ? `; see ${opts.child.logFile}` : '';
      throw new Error(`${what}: not ready after ${opts.timeoutMs} ms${lastError ? ` (${lastError})` : ''}${where}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
}

