/**
 * Debian's Chromium started by us (not by playwright), so the bench holds the
 * browser process's own handle and can SIGKILL it, then start it again on the
 * same profile: what a crash, an OOM kill or a phone's task killer does, and
 * the next visit after it. playwright-core drives it over CDP.
 *
 * The browser runs in a process group of its own (we start it detached). Only
 * the browser process is killed; its children (renderers, the network and
 * storage services) notice and leave by themselves within milliseconds, as
 * after a real crash, and whatever they had in hand by then is done or not.
 * What of that group is still running a second later is killed by the
 * group's id (the browser's pid): cleanup, not part of what is measured.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { CHROMIUM_ARGS, chromiumPath } from '@sessionflow/infra';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export interface KillableChromium {
  browser: Browser;
  /** The profile's own context (the --user-data-dir's storage, on disk). */
  context: BrowserContext;
  process: ChildProcess;
  /** SIGKILL to the browser process, by its handle; resolves once it and its children are gone. */
  kill(): Promise<void>;
  /** A normal close (the profile's writes flushed). */
  close(): Promise<void>;
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

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
 * Waits for the group `pgid` to end by itself, then SIGKILLs what is left of
 * it and waits until that is gone too: a storage service of the old browser
 * still exiting holds the profile's IndexedDB lock, and the next browser on the
 * profile could not open it.
 */
async function groupGone(pgid: number, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (groupMembers(pgid).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    return; // Nothing left of it.
  }
  const gone = Date.now() + 5000;
  while (groupMembers(pgid).length > 0) {
    if (Date.now() > gone) throw new Error(`processes ${groupMembers(pgid).join(', ')} of Chromium's group ${pgid} outlived SIGKILL by 5 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Starts Chromium headless on `userDataDir` (created if missing, reused as it is). */
export async function launchKillable(userDataDir: string): Promise<KillableChromium> {
  const child = spawn(chromiumPath(), [...CHROMIUM_ARGS, '--headless', `--user-data-dir=${userDataDir}`, '--remote-debugging-port=0', 'about:blank'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${chromiumPath()}`);
  let stderr = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Chromium did not announce its DevTools endpoint within 30 s:\n${stderr.slice(-2000)}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const found = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited (${code ?? signal}) before it was ready:\n${stderr.slice(-2000)}`));
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await groupGone(pid, 0);
    throw error;
  });
  // Keep reading, so a chatty browser never blocks on a full pipe.
  child.stderr!.resume();
  const browser = await chromium.connectOverCDP(endpoint);
  const context = browser.contexts()[0];
  if (context === undefined) throw new Error('Chromium over CDP showed no default context');
  return {
    browser,
    context,
    process: child,
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
      await groupGone(pid, 1000);
      await browser.close().catch(() => {});
    },
    async close() {
      await browser.close().catch(() => {});
      // connectOverCDP's close disconnects; the browser itself is ended by its handle.
      child.kill('SIGTERM');
      await Promise.race([exited(child), new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
      await groupGone(pid, 1000);
    },
  };
}
