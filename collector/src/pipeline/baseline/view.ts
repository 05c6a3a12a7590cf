/**
 * The profile's engagement baseline as the read API and the profile snapshots
 * show it (core's ProfileBaselineSchema): the means per closed session of the
 * sums plan.ts keeps. The means are taken at read time, so the stored state
 * stays integer sums that any batching adds up alike.
 */
import type { ProfileView } from '@sessionflow/core';
import type { StoreClient } from '../../store/client.js';
import type { StoreKeys } from '../../store/keys.js';
import { BASELINE_FIELDS } from './plan.js';

export type ProfileBaseline = NonNullable<ProfileView['baseline']>;

/** The baseline of a stored hash; undefined until a session was counted (or when the hash is not of this shape). */
export function baselineOf(stored: Readonly<Record<string, string>>): ProfileBaseline | undefined {
  const sessions = sum(stored[BASELINE_FIELDS.sessions]);
  const events = sum(stored[BASELINE_FIELDS.events]);
  const pageViews = sum(stored[BASELINE_FIELDS.pageViews]);
  const activeMs = sum(stored[BASELINE_FIELDS.activeMs]);
  if (sessions === undefined || sessions < 1 || events === undefined || pageViews === undefined || activeMs === undefined) return undefined;
  return { sessions, avgEvents: events / sessions, avgActiveMs: activeMs / sessions, avgPageViews: pageViews / sessions };
}

export async function readProfileBaseline(redis: StoreClient, keys: StoreKeys, id: string): Promise<ProfileBaseline | undefined> {
  return baselineOf(await redis.hGetAll(keys.profileBaseline(id)));
}

function sum(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
