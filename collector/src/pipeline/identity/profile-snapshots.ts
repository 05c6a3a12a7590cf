/**
 * Profile snapshots on the compacted `sf.profiles` (key: the profile's ref,
 * `u:<user id>` or `a:<anonymous id>`; value: the ProfileView JSON). A serving copy for consumers that cannot reach Redis;
 * Redis is the truth. Published after a batch's transaction committed, once
 * per profile and batch (so a burst of events yields one snapshot, not one per
 * event). A crash between the commit and the send skips that snapshot; the
 * profile's next change publishes it again.
 */
import type { StoreClient } from '../../store/client.js';
import type { ErasureMarks } from '../../erasure/marks.js';
import type { StateLayout } from '../../store/layout.js';
import { erasedNow } from '../../erasure/marked-events.js';
import { readStoredProfile } from './profile-read.js';
import type { KeyedRecord } from './records.js';

export interface ProfileSnapshotDeps {
  redis: StoreClient;
  layout: StateLayout;
  marks: Pick<ErasureMarks, 'at'>;
  topic: string;
  send(records: readonly KeyedRecord[]): Promise<void>;
  now(): number;
}

/** Publishes the snapshots of the profiles named (by ref). */
export type PublishProfiles = (profileRefs: readonly string[]) => Promise<void>;

export function profileSnapshotPublisher(deps: ProfileSnapshotDeps): PublishProfiles {
  return async (profileRefs) => {
    const refs = [...new Set(profileRefs)];
    if (refs.length === 0) return;
    const nowMs = deps.now();
    const views = await Promise.all(refs.map((ref) => readStoredProfile(deps.redis, deps.layout, ref, nowMs)));
    const records: KeyedRecord[] = [];
    views.forEach((view, i) => {
      if (view !== null) records.push({ topic: deps.topic, key: refs[i] as string, value: JSON.stringify(view) });
    });
    if (records.length === 0) return;
    await deps.send(records);
    // An erasure between our read and our send must not be undone by our snapshot landing after its tombstone (see ../../erasure/erase-user.ts).
    // Each profile's marker in its own partition's slot, where the erasure sets it first.
    const { topics, owners } = deps.layout;
    const markKey = { key: (ref: string) => deps.marks.at(topics.eventsByUser, owners.eventsByUser.of(ref)).key(ref) };
    const erased = await erasedNow(deps.redis, markKey, records.map((r) => r.key));
    if (erased.size > 0) await deps.send([...erased].map((key): KeyedRecord => ({ topic: deps.topic, key, value: null })));
  };
}
