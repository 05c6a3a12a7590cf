/**
 * The minute rollups of a batch of new events, as commands for the batch's
 * MULTI/EXEC (pure; the session's source is looked up by the script,
 * script.ts): per minute of event time, per funnel step, traffic source and
 * device, the events (HINCRBY) and distinct visitors (PFADD of the canonical
 * id: HyperLogLog, about 0.81 % standard error in 12 KB at most per key).
 *
 * Keys expire at the minute's start plus ROLLUP_RETENTION_S: from event time,
 * not from when the pipeline got to them, so a replay gives the same state.
 * Prefix records change nothing: they were counted the first time.
 */
import type { StoreKeys } from '../../store/keys.js';
import { eventTime, type RedisCommand } from '../commands.js';
import { isPrefixRecord, profileIdOf, type ByUserEvent } from '../identity/records.js';
import { deviceOf } from './device.js';
import { MINUTE_MS, minuteOf } from './minute.js';
import { ROLLUP_SCRIPT } from './script.js';
import { trafficSource } from './source.js';
import { funnelStep } from './steps.js';

/** 48 h: the read API looks back at most 24 h (1440 minutes). */
export const ROLLUP_RETENTION_S = 48 * 60 * 60;

export function rollupCommands(events: readonly ByUserEvent[], keys: StoreKeys): RedisCommand[] {
  const args: string[] = [];
  for (const event of events) {
    if (isPrefixRecord(event)) continue;
    const step = funnelStep(event);
    if (step === undefined) continue;
    const at = eventTime(event);
    const minute = minuteOf(at);
    const device = deviceOf(event);
    const expireAt = Math.floor(at / MINUTE_MS) * (MINUTE_MS / 1000) + ROLLUP_RETENTION_S;
    args.push(
      keys.sessionSource(event.sessionId),
      // The identity stage stamps the session's source; a record without one (from before it did) looks it up.
      event.source !== undefined ? `=${event.source}` : event.type === 'page_view' ? trafficSource(event.page) : '',
      keys.funnelEvents(minute),
      keys.funnelSegmentVisitors(minute, step, device, ''),
      keys.funnelVisitors(minute, step),
      `${step}|${device}|`,
      profileIdOf(event),
      String(expireAt),
    );
  }
  return args.length === 0 ? [] : [['EVAL', ROLLUP_SCRIPT, '0', String(ROLLUP_RETENTION_S), ...args]];
}
