/**
 * V-SKNN's sampling of candidate neighbours, bounded: the m most recent sessions that share an
 * item with the prefix. Each prefix item's list of recent sessions is ordered most recent first,
 * so the m most recent of their union are found by walking the lists from their heads, always
 * taking the most recent head (a k-way merge), and stopping at m. The work is O(m · log |prefix|)
 * plus the duplicates met on the way, whatever the lists' or the history's length: collecting the
 * whole union and sorting it, as before, cost O(|prefix| · m · log) and grew with the history
 * until every list was full.
 *
 * Where a list is not exactly in time order (the pipeline orders a product's list by each
 * session's latest view of that product, while a session's time is its latest view of anything),
 * the walk still takes the most recent head each time, so the sample stays among the most recent.
 */

/** What the sampling needs to know of a session. */
export interface Timed {
  readonly time: number;
}

export interface Sampled<T extends Timed> {
  readonly id: string;
  readonly record: T;
}

interface Head<T extends Timed> {
  readonly list: readonly string[];
  /** Index in `list` of the head. */
  at: number;
  id: string;
  record: T;
}

/**
 * At most `sampleSize` distinct sessions of `lists`, most recent first (time, then id), never
 * `self` and never one `lookup` does not know (expired, or not loaded by the caller).
 */
export function recentSample<T extends Timed>(
  lists: readonly (readonly string[])[],
  lookup: (id: string) => T | undefined,
  sampleSize: number,
  self?: string,
): Sampled<T>[] {
  const taken = new Set<string>();
  const sample: Sampled<T>[] = [];
  if (sampleSize <= 0) return sample;
  const heap: Head<T>[] = [];
  for (const list of lists) {
    const head: Head<T> = { list, at: -1, id: '', record: undefined as unknown as T };
    if (advance(head, lookup, taken, self)) heap.push(head);
  }
  for (let i = (heap.length >> 1) - 1; i >= 0; i -= 1) siftDown(heap, i);

  while (heap.length > 0 && sample.length < sampleSize) {
    const top = heap[0]!;
    // The same session may head two lists at once: the first taken wins, the other skips it.
    if (!taken.has(top.id)) {
      taken.add(top.id);
      sample.push({ id: top.id, record: top.record });
    }
    if (advance(top, lookup, taken, self)) {
      siftDown(heap, 0);
    } else {
      const last = heap.pop()!;
      if (heap.length > 0 && last !== top) {
        heap[0] = last;
        siftDown(heap, 0);
      }
    }
  }
  return sample;
}

/** Moves `head` to the next session of its list worth a look; false when the list has none left. */
function advance<T extends Timed>(head: Head<T>, lookup: (id: string) => T | undefined, taken: ReadonlySet<string>, self: string | undefined): boolean {
  const { list } = head;
  for (let at = head.at + 1; at < list.length; at += 1) {
    const id = list[at]!;
    if (id === self || taken.has(id)) continue;
    const record = lookup(id);
    if (record === undefined) continue;
    head.at = at;
    head.id = id;
    head.record = record;
    return true;
  }
  head.at = list.length;
  return false;
}

/** True when `a` comes before `b`: more recent, then the smaller id (the order ties have always had). */
function before<T extends Timed>(a: Head<T>, b: Head<T>): boolean {
  return a.record.time > b.record.time || (a.record.time === b.record.time && a.id < b.id);
}

function siftDown<T extends Timed>(heap: Head<T>[], from: number): void {
  const length = heap.length;
  let i = from;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= length) return;
    const right = left + 1;
    const child = right < length && before(heap[right]!, heap[left]!) ? right : left;
    if (!before(heap[child]!, heap[i]!)) return;
    [heap[i], heap[child]] = [heap[child]!, heap[i]!];
    i = child;
  }
}
