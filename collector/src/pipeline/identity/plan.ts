/**
 * The identity stage's decisions for one batch, as a pure function of the
 * batch's events and the stored state of their devices: which records go to
 * `sf.events.by-user` and `sf.identity`, and which Redis commands go into the
 * stage's one guarded script with its offset. Tested without Kafka or Redis.
 *
 * Merge rule:
 * - An anonymous id (a device) is linked to at most one user id at a time; a
 *   user id has any number of devices. Any event carrying `userId` (an
 *   `identify`, or a later event of a logged-in visitor) links its device.
 * - A device seen under another user id later is relinked from that event on.
 *   What was attributed before stays where it is: a user id never changes what
 *   was attributed to it, and two user ids are never merged.
 * - Canonical id = the ref of the user the device is linked to (`u:<user id>`),
 *   else of the device (`a:<anonymous id>`): user ids and anonymous ids never
 *   name the same profile, whatever they are.
 * - The anonymous prefix: of the events of the open session sent while the
 *   device was anonymous, those that can change the user's profile are kept
 *   (prefix-kept.ts: the ones with product signals and the latest, projected
 *   to the fields the profile reads; the last PREFIX_LIMIT); when that device
 *   is linked for the first time during the session, they are re-sent under
 *   the user id with `attribution: "prefix"`. A relink re-sends nothing: those
 *   events were attributed to a user already. A new session starts an empty
 *   prefix.
 * - Each event is re-keyed once: a copy that travelled (a retry of the edge or
 *   the SDK after an answer was lost) is dropped, by the stage's own mark of
 *   the event id (kept for the dedupe window). Every copy of a device's event
 *   comes through the device's partition here, while after a login the copies
 *   would be re-keyed to two people (the first to the device, the late one to
 *   the user), and the aggregates stage, which deduplicates per by-user
 *   partition, would count the event in both.
 * - Bounds: a link expires after the user profile's quiet period
 *   (store/bounds.ts), refreshed by every batch with an event of a linked
 *   device, so the graph lives as long as the profiles it joins. The user's
 *   side (its devices) is its profile's `profileDevices`, kept by the user's
 *   own by-user partition from the records re-keyed to it.
 */
import { deviceRef, userRef, type IngestedEvent } from '@sessionflow/core';
import { DEFAULT_STATE_BOUNDS } from '../../store/bounds.js';
import type { IdentityKeys } from '../../store/identity-keys.js';
import type { RedisCommand } from '../commands.js';
import { eventTime } from '../commands.js';
import { isErased, type ErasureTimes } from '../../erasure/marked-events.js';
import { byUserValue, identityValue, type KeyedRecord } from './records.js';
import { prefixEntry, prefixRecordOf, prefixStep, type PrefixProgress } from './prefix-kept.js';
import { trafficSource } from '../rollups/source.js';

/**
 * The stored value of a device's `prefixSession` key: its open session, that
 * session's source and, while the device is anonymous, where its prefix stands
 * (`[sessionId, source | null, latestAt, tailIsLatest ? 1 : 0]`).
 */
export function encodeDeviceSession(sessionId: string, source: string | undefined, prefix?: PrefixProgress): string {
  if (prefix !== undefined) return JSON.stringify([sessionId, source ?? null, prefix.latestAt, prefix.tailIsLatest ? 1 : 0]);
  return JSON.stringify(source === undefined ? [sessionId] : [sessionId, source]);
}

export interface DeviceSession {
  sessionId: string | undefined;
  source: string | undefined;
  prefixProgress?: PrefixProgress | undefined;
}

/**
 * Reads `encodeDeviceSession`'s value; a plain session id (written before
 * sources were kept) has no source, and a value without progress (written
 * before the prefix was projected, or after a link) none: its stored events,
 * if any, are all re-sent, and the next one starts the progress.
 */
export function decodeDeviceSession(value: string | null): DeviceSession {
  if (value === null) return { sessionId: undefined, source: undefined };
  try {
    const parsed: unknown = JSON.parse(value);
    if (Array.isArray(parsed) && typeof parsed[0] === 'string') {
      const session: DeviceSession = { sessionId: parsed[0], source: typeof parsed[1] === 'string' ? parsed[1] : undefined };
      if (typeof parsed[2] === 'number') session.prefixProgress = { latestAt: parsed[2], tailIsLatest: parsed[3] === 1 };
      return session;
    }
  } catch {
    // A plain session id.
  }
  return { sessionId: value, source: undefined };
}

/** Events of one session kept to re-send as the prefix (prefix-kept.ts): a browsing session rarely has more before a login. */
export const PREFIX_LIMIT = 500;
/**
 * The prefix of a device that went quiet expires: longer than the longest session (core's 24 h),
 * and never longer than a session's own state (`sessionTtlSeconds`, store/bounds.ts): a device
 * quiet for longer than the session gap starts a new session, whose prefix starts empty anyway.
 */
export const PREFIX_TTL_S = 25 * 60 * 60;

/** What is stored about a device (anonymous id). */
export interface DeviceState {
  userId: string | undefined;
  /** The session the prefix belongs to. */
  sessionId: string | undefined;
  /** That session's traffic source, once its landing page view was seen. */
  source?: string | undefined;
  /** Where the prefix stands; none before the session's first anonymous event. */
  prefixProgress?: PrefixProgress | undefined;
  /** The kept events of that session sent while anonymous (`prefixEntry`, or raw `sf.events` values stored before), oldest first. */
  prefix: string[];
}

export interface IdentityEvent {
  event: IngestedEvent;
  /** The record value as read from `sf.events`. */
  raw: string;
}

export interface IdentityPlanContext {
  keys: IdentityKeys;
  topics: { eventsByUser: string; identity: string };
  prefixLimit?: number;
  /** How long a link and a user's device set are kept after the last event of a linked device: the user profile's TTL. */
  linkTtlSeconds?: number;
  /** How long a quiet device's prefix is kept; PREFIX_TTL_S when absent. */
  prefixTtlSeconds?: number;
  /** Event ids of the batch this stage re-keyed already (their `seenEvent` marks): their copies are dropped. */
  rekeyedBefore?: ReadonlySet<string>;
  /** How long an event's mark is kept: the pipeline's dedupe window (`PIPELINE_DEDUPE_TTL_S`); SEEN_TTL_S when absent. */
  seenTtlSeconds?: number;
}

/** The pipeline's default dedupe window (`PIPELINE_DEDUPE_TTL_S`). */
export const SEEN_TTL_S = 24 * 60 * 60;

export interface IdentityPlan {
  /** In the batch's order: by-user records (and prefixes at their link), identity links. */
  records: KeyedRecord[];
  commands: RedisCommand[];
  /** Anonymous ids linked (or relinked) by this batch, with the user id. */
  links: { anonymousId: string; userId: string }[];
  /** Events dropped because their person was erased after they were ingested. */
  erased: number;
  /** Copies of events re-keyed before (in an earlier batch or earlier in this one): dropped. */
  duplicates: number;
}

/** Plans a batch. `devices` holds the stored state of every anonymous id in it (missing = never seen); it is not changed. */
export function planIdentity(events: readonly IdentityEvent[], devices: ReadonlyMap<string, DeviceState>, marks: ErasureTimes, ctx: IdentityPlanContext): IdentityPlan {
  const { keys, topics } = ctx;
  const limit = ctx.prefixLimit ?? PREFIX_LIMIT;
  const plan: IdentityPlan = { records: [], commands: [], links: [], erased: 0, duplicates: 0 };
  const rekeyed = new Set(ctx.rekeyedBefore);
  const seenTtl = String(ctx.seenTtlSeconds ?? SEEN_TTL_S);
  const current = new Map<string, DeviceState>();
  /** Devices whose open session, its source or its prefix's progress changed: their stored session is written once, at the end. */
  const sessionsChanged = new Set<string>();
  // Each device's stored prefix changes once per batch: cleared, or its tail dropped, or neither; then the batch's kept events appended in one RPUSH.
  const stored = new Map<string, { cleared: boolean; tailDropped: boolean; appended: string[] }>();
  const storedOf = (anonymousId: string) => {
    let entry = stored.get(anonymousId);
    if (entry === undefined) stored.set(anonymousId, (entry = { cleared: false, tailDropped: false, appended: [] }));
    return entry;
  };
  const clearPrefix = (anonymousId: string, device: DeviceState) => {
    device.prefix = [];
    device.prefixProgress = undefined;
    stored.set(anonymousId, { cleared: true, tailDropped: false, appended: [] });
  };
  const stateOf = (anonymousId: string): DeviceState => {
    let state = current.get(anonymousId);
    if (state === undefined) {
      const stored = devices.get(anonymousId);
      state = { userId: stored?.userId, sessionId: stored?.sessionId, source: stored?.source, prefixProgress: stored?.prefixProgress, prefix: [...(stored?.prefix ?? [])] };
      current.set(anonymousId, state);
    }
    return state;
  };

  for (const { event, raw } of events) {
    // A copy changes nothing either: an identify's copy arriving after a relink must not link the device back.
    if (rekeyed.has(event.eventId)) {
      plan.duplicates++;
      continue;
    }
    if (isErased(event, marks)) {
      plan.erased++;
      continue;
    }
    rekeyed.add(event.eventId);
    plan.commands.push(['SET', keys.seenEvent(event.eventId), '1', 'EX', seenTtl]);
    const anon = event.anonymousId;
    const device = stateOf(anon);

    if (event.sessionId !== device.sessionId) {
      device.sessionId = event.sessionId;
      device.source = undefined;
      clearPrefix(anon, device);
      sessionsChanged.add(anon);
    }
    if (device.source === undefined && event.type === 'page_view') {
      device.source = trafficSource(event.page);
      sessionsChanged.add(anon);
    }

    const userId = event.userId;
    if (userId !== undefined && userId !== device.userId) {
      const previous = device.userId;
      const linkedAt = eventTime(event);
      device.userId = userId;
      plan.links.push({ anonymousId: anon, userId });
      // The user's side of the link is the user's profile's (its devices set), filled where the user's records land: no write here into another partition's keys.
      plan.commands.push(['SET', keys.link(anon), userId]);
      plan.records.push({ topic: topics.identity, key: anon, value: identityValue({ userId, linkedAt }) });
      if (previous === undefined && (device.prefix.length > 0 || device.prefixProgress !== undefined)) {
        const user = userRef(userId);
        for (const earlier of device.prefix) plan.records.push({ topic: topics.eventsByUser, key: user, value: byUserValue(prefixRecordOf(earlier, anon, event.sessionId), user, 'prefix') });
        clearPrefix(anon, device);
        sessionsChanged.add(anon);
      }
    }

    const canonicalId = device.userId !== undefined ? userRef(device.userId) : deviceRef(anon);
    plan.records.push({ topic: topics.eventsByUser, key: canonicalId, value: byUserValue(raw, canonicalId, undefined, device.source) });
    if (device.userId === undefined) {
      const step = prefixStep(device.prefixProgress, event);
      if (step.keep) {
        const entry = storedOf(anon);
        if (step.replaceTail) {
          device.prefix.pop();
          // The tail is the batch's last append, else the stored list's last entry (only a link or a new session clears it).
          if (entry.appended.length > 0) entry.appended.pop();
          else if (!entry.cleared) entry.tailDropped = true;
        }
        const kept = prefixEntry(event);
        device.prefix.push(kept);
        if (device.prefix.length > limit) device.prefix.splice(0, device.prefix.length - limit);
        entry.appended.push(kept);
        if (entry.appended.length > limit) entry.appended.shift();
        device.prefixProgress = step.progress;
        sessionsChanged.add(anon);
      }
    }
  }
  const prefixTtl = String(ctx.prefixTtlSeconds ?? PREFIX_TTL_S);
  for (const anon of sessionsChanged) {
    const device = current.get(anon);
    if (device?.sessionId !== undefined) plan.commands.push(['SET', keys.prefixSession(anon), encodeDeviceSession(device.sessionId, device.source, device.prefixProgress), 'EX', prefixTtl]);
  }
  for (const [anon, { cleared, tailDropped, appended }] of stored) {
    const key = keys.prefixEvents(anon);
    if (cleared) plan.commands.push(['DEL', key]);
    if (tailDropped) plan.commands.push(['RPOP', key]);
    if (appended.length > 0) plan.commands.push(['RPUSH', key, ...appended], ['LTRIM', key, String(-limit), '-1'], ['EXPIRE', key, prefixTtl]);
  }
  const linkTtl = String(ctx.linkTtlSeconds ?? DEFAULT_STATE_BOUNDS.userProfileTtlSeconds);
  for (const [anon, device] of current) {
    if (device.userId !== undefined) plan.commands.push(['EXPIRE', keys.link(anon), linkTtl]);
  }
  return plan;
}

/** The devices of a batch whose stored prefix the planner may need: anonymous now, and some event of theirs names a user. */
export function devicesToLink(events: readonly IdentityEvent[], linkedUser: ReadonlyMap<string, string | undefined>): string[] {
  const wanted = new Set<string>();
  for (const { event } of events) {
    if (event.userId !== undefined && linkedUser.get(event.anonymousId) === undefined) wanted.add(event.anonymousId);
  }
  return [...wanted];
}
