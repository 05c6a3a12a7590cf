/**
 * The console's reads over the sessions stage's keys. Sessions and rule fires
 * belong to the events partition of their device, so a read visits every
 * partition and adds the parts up (like the funnel's, ../aggregate-redis-store.ts).
 *
 * Cost: the open-session counts read every open session's anonymous id (one
 * HGET each, pipelined), so `visitors` is exact; a few thousand open sessions
 * are a few milliseconds, far more would want a sketch instead.
 */
import type { OpenSessionView } from '@sessionflow/core';
import type { SessionKeys } from '../../pipeline/sessions/keys.js';
import { SESSION_FIELDS } from '../../pipeline/sessions/stored.js';
import type { StoreClient } from '../../store/client.js';
import type { StateLayout } from '../../store/layout.js';
import { ReadStoreUnavailableError } from '../store.js';
import { openSessionView, VIEW_FIELDS } from './session-view.js';
import type { ConsoleReads } from './store.js';

export function redisConsoleReads(redis: StoreClient, layout: StateLayout): ConsoleReads {
  const parts: readonly SessionKeys[] = layout.owners.events.all().map((partition) => layout.deviceSessionsAt(partition));
  const guarded = async <T>(read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      throw new ReadStoreUnavailableError(`Redis did not answer: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
  const viewIn = async (keys: SessionKeys, sessionId: string, nowMs: number): Promise<OpenSessionView | null> =>
    openSessionView(sessionId, await redis.hmGet(keys.session(sessionId), VIEW_FIELDS), nowMs);

  return {
    available: () => redis.isReady,

    openSessions: (limit, nowMs) =>
      guarded(async () => {
        const listed = await Promise.all(parts.map(async (keys) => (await redis.zRangeWithScores(keys.open, 0, -1)).map((entry) => ({ keys, ...entry }))));
        const all = listed.flat();
        const devices = await Promise.all(all.map(({ keys, value }) => redis.hGet(keys.session(value), SESSION_FIELDS.anonymousId)));
        const present = all.filter((_, i) => devices[i] !== null);
        const newest = [...present].sort((a, b) => b.score - a.score).slice(0, limit);
        const views = await Promise.all(newest.map(({ keys, value }) => viewIn(keys, value, nowMs)));
        return {
          open: present.length,
          visitors: new Set(devices.filter((d) => d !== null)).size,
          sessions: views.filter((view) => view !== null),
        };
      }),

    session: (sessionId, nowMs) =>
      guarded(async () => {
        const views = await Promise.all(parts.map((keys) => viewIn(keys, sessionId, nowMs)));
        return views.find((view) => view !== null) ?? null;
      }),

    ruleFires: (minutes) =>
      guarded(async () => {
        const hashes = await Promise.all(parts.flatMap((keys) => minutes.map(async (minute, i) => ({ i, hash: await redis.hGetAll(keys.ruleFires(minute)) }))));
        const fires = new Map<string, number[]>();
        for (const { i, hash } of hashes) {
          for (const [ruleId, value] of Object.entries(hash)) {
            const perMinute = fires.get(ruleId) ?? minutes.map(() => 0);
            perMinute[i] = (perMinute[i] ?? 0) + Number(value);
            fires.set(ruleId, perMinute);
          }
        }
        return fires;
      }),
  };
}
