/**
 * Profile snapshots off the aggregates stage's critical path. A snapshot reads
 * the profile as Redis holds it when it is taken, so publishing later only
 * shows a later state: the batch does not wait for it, and the profiles changed
 * while one publication is on its way are published together after it, each
 * once (a profile changed by several batches is read and sent once, not once
 * per batch). At most one publication is in flight; `flush` waits for the last.
 */
import type { PublishProfiles } from './identity/profile-snapshots.js';

export interface CoalescedSnapshots {
  /** Takes the profiles a committed batch changed; returns at once. */
  changed(profileIds: readonly string[]): void;
  /** Resolves when every profile handed over so far was published (or failed to be). */
  flush(): Promise<void>;
}

export function coalescedSnapshots(publish: PublishProfiles, onError: (error: unknown) => void): CoalescedSnapshots {
  let pending = new Set<string>();
  let running: Promise<void> | undefined;
  const drain = async () => {
    while (pending.size > 0) {
      const ids = [...pending];
      pending = new Set();
      // A serving copy: a failed snapshot must not stop the next; the profile's next change publishes it again.
      await publish(ids).catch(onError);
    }
    running = undefined;
  };
  return {
    changed(profileIds) {
      for (const id of profileIds) pending.add(id);
      if (pending.size > 0) running ??= drain();
    },
    async flush() {
      while (running !== undefined) await running;
    },
  };
}
