/**
 * Reading the event records the stages consume. The collector validated every
 * event with core's schema before it reached `sf.events`, and only the identity
 * stage writes `sf.events.by-user`; still, whatever a stage puts into a key is
 * checked here first: a record that lacks what state is keyed by, or carries a
 * canonical id that is not a profile ref, is unreadable (covered by the offset,
 * changing nothing) rather than a key built from something unexpected.
 */
import { isDecisionRecord, parseProfileRef, validateDecided, type DecisionRecord, type IngestedEvent } from '@sessionflow/core';
import type { ByUserEvent } from './identity/records.js';

/** An event record from the events topic, or null when it lacks what the pipeline keys state by. */
export function readEvent(value: string): IngestedEvent | null {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    return null;
  }
  if (raw === null || typeof raw !== 'object') return null;
  const e = raw as Record<string, unknown>;
  const ok =
    isId(e['eventId']) &&
    isId(e['anonymousId']) &&
    isId(e['sessionId']) &&
    typeof e['type'] === 'string' &&
    typeof e['timestamp'] === 'number' &&
    Number.isFinite(e['timestamp']) &&
    (e['userId'] === undefined || isId(e['userId']));
  return ok ? (raw as IngestedEvent) : null;
}

const parsedBatches = new WeakMap<readonly { value: string | null }[], readonly (IngestedEvent | null)[]>();

/**
 * `readEvent` of each message of a batch, parsed once however many stages
 * are fed the batch (the identity and sessions stages share one consumer of
 * the events topic): kept for as long as the batch's messages array lives.
 * Stages only read the events, never change them.
 */
export function eventsOf(messages: readonly { value: string | null }[]): readonly (IngestedEvent | null)[] {
  let events = parsedBatches.get(messages);
  if (events === undefined) {
    events = messages.map((m) => (m.value === null ? null : readEvent(m.value)));
    parsedBatches.set(messages, events);
  }
  return events;
}

/** What a key can be built from: a string that is not empty (an empty id would name no profile: `u:` is not a ref). */
function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** A `sf.events.by-user` record: an event whose `canonicalId`, when present, is a profile ref (`u:…` / `a:…`). */
export function readByUserEvent(value: string): ByUserEvent | null {
  const event = readEvent(value);
  if (event === null) return null;
  const canonicalId: unknown = (event as Record<string, unknown>)['canonicalId'];
  if (canonicalId !== undefined && (typeof canonicalId !== 'string' || parseProfileRef(canonicalId) === undefined)) return null;
  return event as ByUserEvent;
}

/**
 * A decision record of the events topic (core's `DecisionRecord`), or null
 * when the value is not one, or not whole. Only the sessions stage reads
 * them; every other stage skips them as what they do not use.
 */
export function readDecision(value: string): DecisionRecord | null {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    return null;
  }
  if (!isDecisionRecord(raw)) return null;
  const { type: _type, anonymousId, sessionId, ingest, ...fields } = raw as Record<string, unknown>;
  if (!isId(anonymousId) || !isId(sessionId) || !validateDecided(fields).ok) return null;
  return raw as DecisionRecord;
}

/** Whether a record value is a decision's, whole or not: what a stage that does not use decisions skips without calling it unreadable. */
export function isDecisionValue(value: string | null): boolean {
  // Cheap before exact: a value without the marker is no decision.
  if (value === null || !value.includes('"decision"')) return false;
  try {
    return isDecisionRecord(JSON.parse(value));
  } catch {
    return false;
  }
}
