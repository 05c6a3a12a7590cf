/**
 * What a run left in the pipeline's results, read through the collector's
 * read API as a site team would, and made comparable with another run of the
 * same workload:
 * - every device's own profile and every user's profile,
 * - every session's counts (events, page views, cart units, purchased, device,
 *   source, user),
 * - the funnel's minutes, the segments of the run's own traffic source,
 * - the run's experiment readout.
 * The run's prefix becomes `RUN`. Left out, because they depend on when things
 * happened rather than on what was sent: the readout's `generatedAt`, the
 * sessions' times, signals and decisions (the edge decides on its clock and on
 * reads that race the pipeline), and the funnel's all-segment totals (shared
 * with the other runs). A user's two devices send side by side, so the order
 * of a user's recently viewed and purchased products is not the workload's to
 * fix: those lists are compared as sorted lists (the set and the counts), a
 * device's own in order. Affinities are sums of floats, added in record order
 * and decayed at the moment of the read: compared within a relative 1e-6.
 */
import type { Workload } from './workload.js';

export interface ReadApi {
  collectorUrl: string;
  readSecret: string;
}

export interface RunOutcome {
  profiles: Record<string, unknown>;
  sessions: Record<string, unknown>;
  funnel: unknown[];
  experiment: unknown;
}

async function read(api: ReadApi, path: string): Promise<unknown> {
  const response = await fetch(`${api.collectorUrl}${path}`, { headers: { authorization: `Bearer ${api.readSecret}` } });
  if (response.status === 404) {
    await response.body?.cancel();
    return null;
  }
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

function normalized<T>(value: T, prefix: string): T {
  return JSON.parse(JSON.stringify(value).replaceAll(prefix, 'RUN')) as T;
}

type Profile = { recentlyViewed: string[]; purchased: string[]; anonymousIds: string[] } & Record<string, unknown>;

/** Reads what the run's workload left, with the funnel of the last `funnelMinutes`. */
export async function runOutcome(api: ReadApi, workload: Workload, funnelMinutes: number): Promise<RunOutcome> {
  const profiles: Record<string, unknown> = {};
  const sessions: Record<string, unknown> = {};
  await Promise.all(
    workload.visitors.map(async (v) => {
      profiles[`device:${v.anonymousId}`] = await read(api, `/v1/profile/device/${encodeURIComponent(v.anonymousId)}`);
      const session = (await read(api, `/v1/sessions/${encodeURIComponent(v.sessionId)}`)) as Record<string, unknown> | null;
      sessions[v.sessionId] =
        session === null
          ? null
          : Object.fromEntries(['events', 'pageViews', 'cartUnits', 'purchased', 'device', 'source', 'userId', 'lastPageUrl'].map((k) => [k, session[k] ?? null]));
    }),
  );
  await Promise.all(
    workload.userIds.map(async (userId) => {
      const profile = (await read(api, `/v1/profile/user/${encodeURIComponent(userId)}`)) as Profile | null;
      profiles[`user:${userId}`] =
        profile === null ? null : { ...profile, recentlyViewed: [...profile.recentlyViewed].sort(), purchased: [...profile.purchased].sort(), anonymousIds: [...profile.anonymousIds].sort() };
    }),
  );
  const funnel = (await read(api, `/v1/rollups/funnel?minutes=${funnelMinutes}`)) as { buckets: { minute: string; segments: { source: string; device: string; steps: unknown }[] }[] };
  const ours = funnel.buckets.flatMap((bucket) =>
    bucket.segments.filter((s) => s.source === workload.prefix).map((s) => ({ minute: bucket.minute, device: s.device, steps: s.steps })),
  );
  const readout = (await read(api, `/v1/experiments/${encodeURIComponent(workload.experimentKey)}`)) as Record<string, unknown> | null;
  const { generatedAt: _generatedAt, ...experiment } = readout ?? {};
  return normalized({ profiles, sessions, funnel: ours, experiment: readout === null ? null : experiment }, workload.prefix);
}

/**
 * Where two outcomes differ, as `path: expected → found` lines: integers,
 * strings and shapes exactly, other numbers within a relative 1e-6.
 */
export function differences(expected: unknown, found: unknown, path = ''): string[] {
  if (typeof expected === 'number' && typeof found === 'number') {
    if (Number.isInteger(expected) && Number.isInteger(found)) return expected === found ? [] : [`${path}: ${expected} → ${found}`];
    return Math.abs(expected - found) <= 1e-6 * Math.max(Math.abs(expected), Math.abs(found)) ? [] : [`${path}: ${expected} → ${found}`];
  }
  if (expected !== null && found !== null && typeof expected === 'object' && typeof found === 'object' && Array.isArray(expected) === Array.isArray(found)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(found)]);
    return [...keys].flatMap((k) => differences((expected as Record<string, unknown>)[k], (found as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`));
  }
  return JSON.stringify(expected) === JSON.stringify(found) ? [] : [`${path}: ${JSON.stringify(expected)} → ${JSON.stringify(found)}`];
}
