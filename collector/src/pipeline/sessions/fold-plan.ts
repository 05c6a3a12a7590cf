/**
 * The sessions stage's state changes for consumed events, as Redis commands:
 * a pure function from the events (new ones, in partition order) and the
 * sessions as stored to the commands that go into the batch's one MULTI/EXEC.
 *
 * Each event is folded with core's `foldEvent` into the session its
 * `sessionId` names. The edge stamps that id as the authoritative one, so the
 * fold here never starts a session of its own: its policy never expires, and
 * the clock is the edge's arrival time, the same `nowMs` the VisitorDO folded
 * with. The pipeline's session therefore matches the edge's.
 */
import { foldEvent, type IngestedEvent, type OpenSession, type SessionPolicy } from '@sessionflow/core';
import { DEFAULT_STATE_BOUNDS, deviceSessionsTtlSeconds, type StateBounds } from '../../store/bounds.js';
import type { RedisCommand } from '../commands.js';
import type { SessionKeys } from './keys.js';
import { deviceOf } from '../rollups/device.js';
import { trafficSource } from '../rollups/source.js';
import { SESSION_FIELDS, type StoredSession } from './stored.js';

/** The edge already cut the sessions: the id on the event decides, never a gap or a length seen here. */
const EDGE_DECIDES: Readonly<SessionPolicy> = Object.freeze({ inactivityGapMs: Number.POSITIVE_INFINITY, maxLengthMs: Number.POSITIVE_INFINITY });

export interface FoldPlanContext {
  keys: SessionKeys;
  /** How long an event id is remembered to count a duplicate once. */
  seenTtlSeconds: number;
  /** The least time between two open snapshots of a session. */
  snapshotIntervalMs: number;
  /** How long a session's state and a device's index are kept (store/bounds.ts); the defaults when absent. */
  bounds?: StateBounds;
}

/** When an event counts as activity: the edge's clock when it arrived (a visitor's clock may be anywhere). */
export function activityAt(event: IngestedEvent): number {
  const received = event.ingest?.receivedAt;
  return typeof received === 'number' && Number.isFinite(received) ? received : event.timestamp;
}

interface Touched {
  stored: StoredSession | undefined;
  state: OpenSession | undefined;
  anonymousId: string;
  folded: number;
  /** A device class was written for the session in this batch: HSETNX keeps the first, so later ones change nothing. */
  deviceWritten: boolean;
}

/** Commands for events not counted before (each once, in partition order); `stored` holds the sessions they name, as stored. */
export function planSessionEvents(events: readonly IngestedEvent[], stored: ReadonlyMap<string, StoredSession>, ctx: FoldPlanContext): RedisCommand[] {
  const { keys } = ctx;
  const commands: RedisCommand[] = [];
  const touched = new Map<string, Touched>();
  for (const event of events) {
    commands.push(['SET', keys.seenEvent(event.eventId), '1', 'EX', String(ctx.seenTtlSeconds)]);
    let entry = touched.get(event.sessionId);
    if (entry === undefined) {
      const before = stored.get(event.sessionId);
      entry = { stored: before, state: before?.state, anonymousId: event.anonymousId, folded: 0, deviceWritten: false };
      touched.set(event.sessionId, entry);
    }
    const pageViewsBefore = entry.state?.pageViews ?? 0;
    const next = foldEvent(entry.state, event, activityAt(event), () => event.sessionId, EDGE_DECIDES);
    // The same session back means the event was among its recent ids: a duplicate.
    if (next === entry.state) continue;
    // What the console shows of where a session comes from: its device, and the source of its landing page view (first written wins).
    if (!entry.deviceWritten) {
      const device = deviceOf(event);
      if (device !== 'unknown') {
        commands.push(['HSETNX', keys.session(event.sessionId), SESSION_FIELDS.device, device]);
        entry.deviceWritten = true;
      }
    }
    if (event.type === 'page_view' && pageViewsBefore === 0) commands.push(['HSETNX', keys.session(event.sessionId), SESSION_FIELDS.source, trafficSource(event.page)]);
    entry.state = next;
    entry.folded++;
  }

  const bounds = ctx.bounds ?? DEFAULT_STATE_BOUNDS;
  const open = keys.open;
  const due = keys.due;
  // Device → its sessions folded in this batch → their latest activity.
  const devices = new Map<string, Map<string, number>>();
  let latest = Number.NEGATIVE_INFINITY;
  for (const [sessionId, entry] of touched) {
    if (entry.state === undefined || entry.folded === 0) continue;
    const key = keys.session(sessionId);
    const lastActivityAt = entry.state.lastActivityAt;
    latest = Math.max(latest, lastActivityAt);
    const lastSnapshotAt = entry.stored?.lastSnapshotAt;
    // A session not shown yet is due at once; afterwards no sooner than the interval after the last snapshot.
    const dueAt = lastSnapshotAt === undefined ? lastActivityAt : Math.max(lastActivityAt, lastSnapshotAt + ctx.snapshotIntervalMs);
    commands.push(
      ['HSET', key, SESSION_FIELDS.state, JSON.stringify(withoutRecentIds(entry.state)), SESSION_FIELDS.anonymousId, entry.anonymousId],
      ['HINCRBY', key, SESSION_FIELDS.version, String(entry.folded)],
      // A late event reopens a closed session: it is open, and kept, again.
      ['HDEL', key, SESSION_FIELDS.closedAt],
      // Until the ticker closes it (which shortens this to the dedupe window): a session whose ticker never comes still goes.
      ['EXPIRE', key, String(bounds.sessionTtlSeconds)],
      ['ZADD', open, String(lastActivityAt), sessionId],
      // NX: a session already waiting for its snapshot keeps its earlier turn.
      ['ZADD', due, 'NX', String(dueAt), sessionId],
    );
    const sessions = devices.get(entry.anonymousId) ?? new Map<string, number>();
    sessions.set(sessionId, lastActivityAt);
    devices.set(entry.anonymousId, sessions);
  }
  if (devices.size === 0) return commands;
  // Entries of sessions quiet for longer than their state is kept name hashes that are gone: the ticker would only drop them.
  const stale = `(${latest - bounds.sessionTtlSeconds * 1000}`;
  commands.push(['ZREMRANGEBYSCORE', open, '-inf', stale], ['ZREMRANGEBYSCORE', due, '-inf', stale]);
  // The device's index of its sessions: what an erasure of the device deletes (../../erasure/plan.ts). The most recently
  // active are kept; the state of one that falls out expires by itself (its hash, its recommendation keys), and the
  // index itself as long after its last session as any per-session state lives.
  for (const [anonymousId, sessions] of devices) {
    const index = keys.device(anonymousId);
    commands.push(
      ['ZADD', index, 'GT', ...[...sessions].flatMap(([sessionId, at]) => [String(at), sessionId])],
      ['ZREMRANGEBYRANK', index, '0', String(-(bounds.profileSessionsKept + 1))],
      ['EXPIRE', index, String(deviceSessionsTtlSeconds(bounds))],
    );
  }
  return commands;
}

/**
 * The session as stored, without the fold's memory of its last 200 event ids:
 * that is the edge's way of counting an event once, while this stage counts
 * each once by its `seen` keys before folding (apply.ts). Kept, the ids made
 * most of a stored session's JSON, read, parsed, copied and written again
 * with every batch that touched it.
 */
export function withoutRecentIds(state: OpenSession): OpenSession {
  return state.recentEventIds.length === 0 ? state : { ...state, recentEventIds: [] };
}

