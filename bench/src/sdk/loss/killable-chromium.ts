/**
 * Debian's Chromium started by us (not by playwright), so the bench holds the
 * browser process's own handle and can SIGKILL it, then start it again on the
 * same profile: what a crash, an OOM kill or a phone's task killer does, and
 * the next visit after it. playwright-core drives it over CDP.
 *
 * It is one of infra's children (`startChild`: its own process group, its
 * output in a log file, stopped by `stopAllChildren` when the bench is
 * interrupted). A kill ends only the browser process; its children (renderers,
 * the network and storage services) notice and leave by themselves within
 * milliseconds, as after a real crash, and whatever they had in hand by then is
 * done or not. What of the group still runs a second later is killed by the
 * group's id (the browser's pid): cleanup, not part of what is measured.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CHROMIUM_ARGS, chromiumPath, freePort, startChild, type Child } from '@sessionflow/infra';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export interface KillableChromium {
  browser: Browser;
  /** The profile's own context (the --user-data-dir's storage, on disk). */
  context: BrowserContext;
  child: Child;
  /** SIGKILL to the browser process, by its handle; resolves once it and its children are gone. */
  kill(): Promise<void>;
  /** A normal close (the profile's writes flushed). */
  close(): Promise<void>;
}

/** The live (not zombie) processes of the process group `pgid`, from /proc (Linux, as Debian's Chromium). */
function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so read after its last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry));
    } catch {
      // Gone while reading.
    }
  }
  return members;
}

/**
 * Waits up to `waitMs` for the browser's group (its pid: the child leads it)
 * to end by itself, then SIGKILLs what is left of it and waits until that is
 * gone too: a storage service of the old browser still exiting holds the
 * profile's IndexedDB lock, and the next browser on the profile could not open it.
 */
async function groupGone(child: Child, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (groupMembers(child.pid).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (groupMembers(child.pid).length === 0) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    return; // Gone meanwhile.
  }
  const gone = Date.now() + 5000;
  while (groupMembers(child.pid).length > 0) {
    if (Date.now() > gone) throw new Error(`processes ${groupMembers(child.pid).join(', ')} of Chromium's group ${child.pid} outlived SIGKILL by 5 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The browser's DevTools WebSocket, once it answers on `port`. */
async function devtoolsEndpoint(port: number, child: Child): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!child.isRunning()) throw new Error(`Chromium exited before it was ready; see ${child.logFile}`);
    try {
      const version = (await (await fetch(`http://127.0.0.1:${port}/json/version`)).json()) as { webSocketDebuggerUrl?: string };
      if (version.webSocketDebuggerUrl) return version.webSocketDebuggerUrl;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`Chromium did not answer on its DevTools port ${port} within 30 s; see ${child.logFile}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts Chromium headless on `userDataDir` (created if missing, reused as it is), its output appended to `logFile`. */
export async function launchKillable(userDataDir: string, logFile: string): Promise<KillableChromium> {
  const port = await freePort();
  // Chromium's temporary folders (/tmp/org.chromium.Chromium.*) outlive a SIGKILL: kept in the profile, they go with it.
  const tmp = path.join(userDataDir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const child = startChild({
    name: 'chromium',
    command: chromiumPath(),
    args: [...CHROMIUM_ARGS, '--headless', `--user-data-dir=${userDataDir}`, `--remote-debugging-port=${port}`, 'about:blank'],
    env: { ...process.env, TMPDIR: tmp },
    logFile,
  });
  let browser: Browser;
  try {
    browser = await chromium.connectOverCDP(await devtoolsEndpoint(port, child));
  } catch (error) {
    await child.stop(0);
    await groupGone(child, 0);
    throw error;
  }
  const context = browser.contexts()[0];
  if (context === undefined) {
    await child.stop(0);
    await groupGone(child, 0);
    throw new Error('Chromium over CDP showed no default context');
  }
  return {
    browser,
    context,
    child,
    async kill() {
      process.kill(child.pid, 'SIGKILL');
      await child.exited;
      await groupGone(child, 1000);
      await browser.close().catch(() => {});
    },
    async close() {
      // Disconnects playwright; the browser itself is ended through its handle (SIGTERM: a clean shutdown).
      await browser.close().catch(() => {});
      await child.stop(5000);
      await groupGone(child, 0);
    },
  };
}
