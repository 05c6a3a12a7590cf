/**
 * The evaluation protocol of issue 5, as in the session-based recommendation literature
 * (Ludewig & Jannach's session-rec preparation of Diginetica):
 * - one file: drop sessions of one view, drop items viewed fewer than 5 times, drop sessions left
 *   shorter than 2; the sessions whose last view falls in the last 7 days (by eventdate) are the
 *   test set, the rest the training set;
 * - two files: taken as given.
 * In both cases a test view of an item the training set never saw is skipped (nothing learned
 * from training could predict it), and a test session left shorter than 2 has no prefix to test.
 */
import type { View } from './session-log.js';

export interface LoggedSession {
  readonly id: string;
  readonly items: readonly string[];
  /** Time of each item's view, ms. */
  readonly times: readonly number[];
  /** The last view's time, ms. */
  readonly time: number;
  /** The last view's day (days since the epoch). */
  readonly day: number;
}

export interface Split {
  readonly train: LoggedSession[];
  readonly test: LoggedSession[];
  readonly counts: Record<string, number>;
}

export const MIN_ITEM_VIEWS = 5;
export const TEST_DAYS = 7;

/** Groups views into sessions, each ordered by time (file order on ties); sessions ordered by their last view. */
export function sessionsOf(views: readonly View[]): LoggedSession[] {
  const grouped = new Map<string, View[]>();
  for (const view of views) {
    let list = grouped.get(view.session);
    if (list === undefined) grouped.set(view.session, (list = []));
    list.push(view);
  }
  const sessions = [...grouped].map(([id, list]) => {
    list.sort((a, b) => a.time - b.time || a.line - b.line);
    return session(id, list);
  });
  return byTime(sessions);
}

/** The single-file protocol. */
export function splitSingle(views: readonly View[], minItemViews = MIN_ITEM_VIEWS, testDays = TEST_DAYS): Split {
  const all = sessionsOf(views);
  const multi = all.filter((s) => s.items.length > 1);
  const support = new Map<string, number>();
  for (const s of multi) for (const item of s.items) support.set(item, (support.get(item) ?? 0) + 1);
  const kept = multi
    .map((s) => keepItems(s, (item) => (support.get(item) ?? 0) >= minItemViews))
    .filter((s): s is LoggedSession => s !== undefined);
  const lastDay = Math.max(...kept.map((s) => s.day));
  const firstTestDay = lastDay - testDays + 1;
  const train = kept.filter((s) => s.day < firstTestDay);
  const held = kept.filter((s) => s.day >= firstTestDay);
  const test = testOnTrainItems(train, held);
  return {
    train,
    test: test.sessions,
    counts: {
      sessions: all.length,
      sessionsAfterFiltering: kept.length,
      trainSessions: train.length,
      testSessions: test.sessions.length,
      testViewsSkipped: test.skipped,
      firstTestDay,
      lastDay,
    },
  };
}

/** Separate, already prepared files. */
export function splitGiven(trainViews: readonly View[], testViews: readonly View[]): Split {
  const train = sessionsOf(trainViews);
  const test = testOnTrainItems(train, sessionsOf(testViews));
  return {
    train,
    test: test.sessions,
    counts: { trainSessions: train.length, testSessions: test.sessions.length, testViewsSkipped: test.skipped },
  };
}

/** Keeps of the test sessions only views of items the training set holds, and sessions still at least 2 long. */
export function testOnTrainItems(
  train: readonly LoggedSession[],
  test: readonly LoggedSession[],
): { sessions: LoggedSession[]; skipped: number } {
  const known = new Set<string>();
  for (const s of train) for (const item of s.items) known.add(item);
  let skipped = 0;
  const sessions: LoggedSession[] = [];
  for (const s of test) {
    skipped += s.items.filter((item) => !known.has(item)).length;
    const kept = keepItems(s, (item) => known.has(item));
    if (kept !== undefined) sessions.push(kept);
  }
  return { sessions, skipped };
}

/** The session with only the items `keep` accepts, or undefined when fewer than 2 are left. */
function keepItems(s: LoggedSession, keep: (item: string) => boolean): LoggedSession | undefined {
  const items: string[] = [];
  const times: number[] = [];
  s.items.forEach((item, i) => {
    if (!keep(item)) return;
    items.push(item);
    times.push(s.times[i]!);
  });
  if (items.length < 2) return undefined;
  if (items.length === s.items.length) return s;
  // The day stays the session's own: dropping an item does not move a session across the split.
  return { id: s.id, items, times, time: Math.max(...times), day: s.day };
}

function session(id: string, ordered: readonly View[]): LoggedSession {
  const last = ordered.reduce((a, b) => (b.time >= a.time ? b : a));
  return {
    id,
    items: ordered.map((v) => v.item),
    times: ordered.map((v) => v.time),
    time: last.time,
    day: Math.max(...ordered.map((v) => v.day)),
  };
}

function byTime(sessions: LoggedSession[]): LoggedSession[] {
  return sessions.sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
