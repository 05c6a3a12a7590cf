/**
 * The `sdk-loss` suite: what the browser SDK loses in the browser's worst
 * moments, in Debian's Chromium on loopback against a small local stand-in
 * for the edge that counts every event by id: a tab closed right after an
 * event, the browser process killed (SIGKILL) right after a burst of clicks,
 * and how long delivery lags behind the end of an outage answered 503
 * without Retry-After.
 */
import os from 'node:os';
import { chromiumPath } from '@sessionflow/infra';
import { progress } from '../../progress.js';
import type { SuiteResult } from '../../results.js';
import { percentile, round } from '../../stats.js';
import { launchSharedChromium } from '../chromium.js';
import { requireSdkBuild, sdkIife } from '../files.js';
import { killAfterBurst, type KillRun } from './kill-burst.js';
import { recoverAfterOutage } from './outage.js';
import { startStandIn } from './stand-in.js';
import { closeAfterEvent } from './tab-close.js';

export interface SdkLossOptions {
  tabCloseRuns: number;
  tabCloseParallel: number;
  killRuns: number;
  killParallel: number;
  outageRounds: number;
  outagePages: number;
  outageMs: number;
}

function knob(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number ≥ 1, got "${raw}"`);
  return n;
}

export const defaultSdkLossOptions = (): SdkLossOptions => ({
  tabCloseRuns: knob('BENCH_LOSS_TAB_RUNS', 200),
  tabCloseParallel: knob('BENCH_LOSS_TAB_PARALLEL', 4),
  killRuns: knob('BENCH_LOSS_KILL_RUNS', 200),
  killParallel: knob('BENCH_LOSS_KILL_PARALLEL', 2),
  outageRounds: knob('BENCH_LOSS_OUTAGE_ROUNDS', 2),
  outagePages: knob('BENCH_LOSS_OUTAGE_PAGES', 20),
  outageMs: knob('BENCH_LOSS_OUTAGE_MS', 10_000),
});

/** The burst's clicks; the kill's pause after the last one: none on even runs, up to this on odd runs. */
const BURST_GAP_MS = 20;
const MAX_KILL_DELAY_MS = 50;
const MAX_CLOSE_DELAY_MS = 1200;

const lostIn = (runs: KillRun[]) => runs.reduce((sum, r) => sum + r.lostPlaces.length, 0);

export async function sdkLossSuite(o: SdkLossOptions = defaultSdkLossOptions()): Promise<SuiteResult> {
  requireSdkBuild();
  const started = Date.now();
  console.log(`  chromium: ${chromiumPath()}; a local stand-in for the edge counts every event by id`);
  let line = progress();

  // 1. Tabs closed right after an event.
  console.log(`  tab close: ${o.tabCloseRuns} runs, ${o.tabCloseParallel} at once, each a first visit in a context of its own…`);
  const tabStandIn = await startStandIn(sdkIife);
  const browser = await launchSharedChromium();
  let tabs;
  try {
    tabs = await closeAfterEvent(browser, tabStandIn, {
      runs: o.tabCloseRuns,
      parallel: o.tabCloseParallel,
      maxCloseDelayMs: MAX_CLOSE_DELAY_MS,
      settleMs: 5000,
      seed: 14,
      onRun: (done) => line.update(`  tab close: ${done}/${o.tabCloseRuns} runs`),
    });
  } finally {
    line.done();
    await browser.close();
    await tabStandIn.close();
  }
  const tabsAtOnce = tabs.runs.filter((r) => r.closeDelayMs === 0);
  const tabsLostAtOnce = tabs.lost.filter((r) => r.closeDelayMs === 0).length;
  console.log(
    `  tab close: ${tabs.lost.length} of ${tabs.runs.length} events lost (${tabsLostAtOnce} of ${tabsAtOnce.length} closed at once, ` +
      `${tabs.lost.length - tabsLostAtOnce} of ${tabs.runs.length - tabsAtOnce.length} closed up to ${MAX_CLOSE_DELAY_MS} ms later); ` +
      `${tabs.duplicates} arrived twice; ${round(tabs.seconds, 1)} s`,
  );

  // 2. The browser killed right after a burst.
  console.log(`  kill: ${o.killRuns} runs on ${o.killParallel} profiles, a burst of 10 clicks ${BURST_GAP_MS} ms apart, then SIGKILL to the browser…`);
  const killStandIn = await startStandIn(sdkIife);
  line = progress();
  let kills;
  try {
    kills = await killAfterBurst(killStandIn, {
      runs: o.killRuns,
      parallel: o.killParallel,
      gapMs: BURST_GAP_MS,
      maxKillDelayMs: MAX_KILL_DELAY_MS,
      drainMs: 10_000,
      seed: 15,
      onRun: (done, lost) => line.update(`  kill: ${done}/${o.killRuns} runs, ${lost} clicks not (yet) delivered`),
    });
  } finally {
    line.done();
    await killStandIn.close();
  }
  const killEvents = kills.runs.length * 10;
  const killLost = lostIn(kills.runs);
  const killsAtOnce = kills.runs.filter((r) => r.killDelayMs === 0);
  const killLostAtOnce = lostIn(killsAtOnce);
  const lostByPlace = Array.from({ length: 10 }, (_, place) => kills.runs.filter((r) => r.lostPlaces.includes(place)).length);
  // A lost click either never left the page before the kill (not sent, not in the queue the next start found), or the queue kept it and delivery failed.
  const lostUnwritten = kills.runs.reduce((sum, r) => sum + r.lostPlaces.filter((p) => r.unwrittenPlaces?.includes(p)).length, 0);
  const unread = kills.runs.filter((r) => r.unwrittenPlaces === undefined);
  const lostUnread = lostIn(unread);
  console.log(
    `  kill: ${killLost} of ${killEvents} clicks lost (${killLostAtOnce} of ${killsAtOnce.length * 10} killed at once, ` +
      `${killLost - killLostAtOnce} of ${(kills.runs.length - killsAtOnce.length) * 10} killed up to ${MAX_KILL_DELAY_MS} ms later); ` +
      `lost by place in the burst ${JSON.stringify(lostByPlace)}; ${kills.arrivedBeforeKill} had arrived before the kill, ${kills.duplicates} arrived twice; ${round(kills.seconds, 1)} s`,
  );
  console.log(
    `  kill: of the ${killLost} lost, ${lostUnwritten} had not left the page when it died (neither sent nor in the queue the next start found), ` +
      `${killLost - lostUnwritten - lostUnread} were in the queue after the kill and never delivered` +
      (unread.length > 0 ? `, ${lostUnread} unexplained (${unread.length} runs whose queue the next start could not read)` : ''),
  );

  // 3. Recovery after an outage without Retry-After.
  console.log(`  outage: ${o.outageRounds} outages of ${o.outageMs / 1000} s (503, no Retry-After), ${o.outagePages} pages each…`);
  const outageStandIn = await startStandIn(sdkIife);
  line = progress();
  const outageBrowser = await launchSharedChromium();
  let outage;
  try {
    outage = await recoverAfterOutage(outageBrowser, outageStandIn, {
      rounds: o.outageRounds,
      pages: o.outagePages,
      outageMs: o.outageMs,
      giveUpMs: 60_000,
      seed: 16,
      onRound: (done) => line.update(`  outage: ${done}/${o.outageRounds} outages`),
    });
  } finally {
    line.done();
    await outageBrowser.close();
    await outageStandIn.close();
  }
  const p50 = percentile(outage.delaysMs, 50);
  const max = Math.max(...outage.delaysMs);
  console.log(
    `  outage: delivered ${round(p50 / 1000, 2)} s (median) and at most ${round(max / 1000, 2)} s after the recovery, over ${outage.delaysMs.length} pages; ` +
      `${outage.undelivered} not delivered within 60 s; ${round(outage.seconds, 1)} s`,
  );
  const seconds = (Date.now() - started) / 1000;
  console.log(`  sdk-loss took ${round(seconds, 1)} s`);

  return {
    suite: 'sdk-loss',
    figures: {
      'sdk_loss.tab_close_runs': { value: tabs.runs.length, unit: 'runs' },
      'sdk_loss.tab_close_lost_events': { value: tabs.lost.length, unit: 'events' },
      'sdk_loss.kill_runs': { value: kills.runs.length, unit: 'runs' },
      'sdk_loss.kill_events': { value: killEvents, unit: 'events' },
      'sdk_loss.kill_lost_events': { value: killLost, unit: 'events' },
      'sdk_loss.kill_lost_events_killed_at_once': { value: killLostAtOnce, unit: 'events' },
      'sdk_loss.kill_lost_events_queued_not_delivered': { value: killLost - lostUnwritten - lostUnread, unit: 'events' },
      'sdk_loss.outage_recovery_p50_ms': { value: round(p50), unit: 'ms' },
      'sdk_loss.outage_recovery_max_ms': { value: round(max), unit: 'ms' },
      'sdk_loss.outage_undelivered_events': { value: outage.undelivered, unit: 'events' },
      'sdk_loss.seconds': { value: round(seconds, 1), unit: 's' },
    },
    context: {
      node: process.version,
      cpus: os.cpus().length,
      loadAverage: os.loadavg().map((l) => round(l)),
      chromium: chromiumPath(),
      tabClose: {
        note: 'each run a first visit in a browser context of its own (storage in memory: a visitor who never comes back), an event tracked 0–1.2 s after the SDK started, the tab closed (page.close, unload handlers run) at once on even runs and 0–1.2 s later on odd runs; the browser lives on; counted 5 s after the last close',
        runs: tabs.runs.length,
        lost: tabs.lost,
        duplicates: tabs.duplicates,
        seconds: round(tabs.seconds, 1),
      },
      kill: {
        note: `one profile per worker on disk, reused run after run; 10 product clicks ${BURST_GAP_MS} ms apart (CDP mouse input), then SIGKILL to the browser process by its handle, at once on even runs and 0–${MAX_KILL_DELAY_MS} ms later on odd runs; its children leave by themselves; the next start of the profile delivers what the queue kept`,
        runs: kills.runs.length,
        events: killEvents,
        lostByPlace,
        losses: kills.runs
          .filter((r) => r.lostPlaces.length > 0)
          .map((r) => ({ tag: r.products[0]!.replace(/-0$/, ''), killDelayMs: r.killDelayMs, lostPlaces: r.lostPlaces, unwrittenPlaces: r.unwrittenPlaces })),
        lostUnwritten,
        queueUnreadableRuns: unread.length,
        arrivedBeforeKill: kills.arrivedBeforeKill,
        duplicates: kills.duplicates,
        seconds: round(kills.seconds, 1),
      },
      outage: {
        note: 'pages deliver their page view, then the stand-in answers 503 without Retry-After; each page tracks an event within the first second; the delay is from the stand-in answering 200 again to that event arriving',
        outageMs: o.outageMs,
        pages: o.outagePages,
        rounds: o.outageRounds,
        delaysMs: outage.delaysMs,
        undelivered: outage.undelivered,
        duringOutage: outage.duringOutage,
        seconds: round(outage.seconds, 1),
      },
    },
  };
}
