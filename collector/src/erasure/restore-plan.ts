/**
 * Which markers of the `erasures` topic go back into Redis, and for how long
 * (pure). A marker is in force for `lifeMs` after its erasure; one past it is
 * left out (every record it guarded against is gone from the topics). Of a
 * mark erased more than once, the latest erasure counts, as it does in Redis
 * (a later erasure overwrites the marker) and in the compacted topic.
 */
import type { MarkRecord } from './marks-topic.js';
import { storeScript } from '../store/client.js';

export interface MarkerToRestore {
  mark: string;
  erasedAt: number;
  /** What is left of the marker's life: its TTL in Redis. */
  ttlMs: number;
}

export function planMarkerRestore(records: readonly MarkRecord[], nowMs: number, lifeMs: number): MarkerToRestore[] {
  const latest = new Map<string, number>();
  for (const { mark, erasedAt } of records) latest.set(mark, Math.max(erasedAt, latest.get(mark) ?? Number.NEGATIVE_INFINITY));
  const restore: MarkerToRestore[] = [];
  for (const [mark, erasedAt] of latest) {
    const ttlMs = erasedAt + lifeMs - nowMs;
    if (ttlMs > 0) restore.push({ mark, erasedAt, ttlMs });
  }
  return restore;
}

/**
 * Sets each marker where Redis has none, or an older one, with its TTL:
 * `KEYS` the markers' keys, `ARGV` per key its erasure time and TTL (ms). A
 * marker Redis holds already is left as it is (the collector wrote it, with the
 * same time). Answers how many it set.
 */
export const RESTORE_MARKERS_SCRIPT = storeScript(`
local set = 0
for i, key in ipairs(KEYS) do
  local at = tonumber(ARGV[2 * i - 1])
  local current = tonumber(redis.call('GET', key) or '')
  if current == nil or current < at then
    redis.call('SET', key, ARGV[2 * i - 1], 'PX', ARGV[2 * i])
    set = set + 1
  end
end
return set
`);
