/**
 * No raw id in a log line (src/erasure/ids-in-logs.ts): keys quoted in a
 * message keep their shape with their id parts replaced by marks.
 */
import { describe, expect, it } from 'vitest';
import { deviceRef, keyPart, topicNames, userRef } from '@sessionflow/core';
import { idsOutOfLogs } from '../../src/erasure/ids-in-logs.js';
import { erasureMarks } from '../../src/erasure/marks.js';
import { createLogger } from '../../src/log.js';
import { identityKeys } from '../../src/store/identity-keys.js';
import { storeKeys } from '../../src/store/keys.js';
import { BatchWouldFailError } from '../../src/store/guarded-batch.js';
import { sessionKeys } from '../../src/pipeline/sessions/keys.js';
import { partitionTag } from '../../src/store/owner.js';

const SECRET = 'logs-test-erasure-secret';
const marks = erasureMarks('sf', SECRET);
const scrub = idsOutOfLogs('sf', SECRET, marks);
const topics = topicNames('sf');
// Keys of a by-user partition and of an events partition: each carries its partition's hash tag, which the scrub keeps.
const keys = storeKeys('sf', topics.eventsByUser, 2);
const idKeys = identityKeys('sf', topics.events, 5);
const sesKeys = sessionKeys('sf', topics.events, 5);
const byUser = `sf:${partitionTag(topics.eventsByUser, 2)}`;
const events = `sf:${partitionTag(topics.events, 5)}`;
const USER = 'jane.doe@example.com';
const CRAFTED = 'X:affinities';
const DEVICE = 'anon-7f3a9c21';
const SESSION = 'session-5b1e77aa';

describe('idsOutOfLogs', () => {
  it('replaces the user and device of a key by their marks, keeping the key\'s shape', () => {
    expect(scrub(`${keys.profileBaseline(userRef(USER))} is a string, not a hash`)).toBe(`${byUser}:profile:u:#${marks.mark(userRef(USER))}:baseline is a string, not a hash`);
    expect(scrub(idKeys.link(DEVICE))).toBe(`${events}:identity:link:a:#${marks.mark(deviceRef(DEVICE))}`);
    expect(scrub(keys.profileAffinities(userRef(CRAFTED)))).toBe(`${byUser}:profile:u:#${marks.mark(userRef(CRAFTED))}:affinities`);
  });

  it('replaces session ids in keys, and refs standing alone (an experiment unit), and leaves the rest as it was', () => {
    const line = `HINCRBY ${sesKeys.session(SESSION)} version needs ${keys.recsSessionItems(SESSION)}; ${keys.baselineCounted(SESSION)}; ${keys.experimentUnits('recs-strategy')} field ${userRef(USER)}; ${sesKeys.device(DEVICE)}`;
    const out = scrub(line);
    for (const id of [USER, keyPart(USER), DEVICE, SESSION]) expect(out).not.toContain(id);
    expect(out).toContain(`${events}:session:#`);
    expect(out).toContain(`${byUser}:recs:session:#`);
    expect(out).toContain(':items;');
    expect(out).toContain(`${byUser}:baseline:counted:#`);
    expect(out).toContain(`${byUser}:experiment:recs-strategy:units field u:#${marks.mark(userRef(USER))}`);
    expect(out).toContain(`${events}:sessions:device:a:#${marks.mark(deviceRef(DEVICE))}`);
    const plain = 'aggregates stage stopped taking sf.events.by-user partition 2 at 2026-01-01T10:00:00.000Z: sf:{sf.events.by-user:2}:popularity is a hash, not a zset; sf:{sf.events:1}:sessions:offset';
    expect(scrub(plain)).toBe(plain);
  });

  it('scrubs what a stopped partition logs: the reason of a batch that would fail names the key', () => {
    const lines: string[] = [];
    const logger = createLogger('info', (line) => lines.push(line), scrub);
    const error = new BatchWouldFailError(`${keys.profileSessions(deviceRef(DEVICE))} is a string, not a zset`, `ZADD ${keys.profileSessions(deviceRef(DEVICE))}`);
    logger.error(`aggregates stage stopped taking sf.events.by-user partition 0: ${error.message}`, { error, key: keys.profileDevices(userRef(USER)) });
    expect(lines).toHaveLength(1);
    for (const id of [USER, keyPart(USER), DEVICE]) expect(lines[0]).not.toContain(id);
    expect(lines[0]).toContain(`${byUser}:profile:a:#${marks.mark(deviceRef(DEVICE))}:sessions is a string, not a zset`);
  });
});
