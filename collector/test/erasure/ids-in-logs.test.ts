/**
 * No raw id in a log line (src/erasure/ids-in-logs.ts): keys quoted in a
 * message keep their shape with their id parts replaced by marks.
 */
import { describe, expect, it } from 'vitest';
import { deviceRef, keyPart, userRef } from '@sessionflow/core';
import { idsOutOfLogs } from '../../src/erasure/ids-in-logs.js';
import { erasureMarks } from '../../src/erasure/marks.js';
import { createLogger } from '../../src/log.js';
import { identityKeys } from '../../src/store/identity-keys.js';
import { storeKeys } from '../../src/store/keys.js';
import { BatchWouldFailError } from '../../src/store/guarded-batch.js';
import { sessionKeys } from '../../src/pipeline/sessions/keys.js';

const SECRET = 'logs-test-erasure-secret';
const marks = erasureMarks('sf', SECRET);
const scrub = idsOutOfLogs('sf', SECRET, marks);
const keys = storeKeys('sf');
const idKeys = identityKeys('sf');
const sesKeys = sessionKeys('sf');
const USER = 'jane.doe@example.com';
const CRAFTED = 'X:affinities';
const DEVICE = 'anon-7f3a9c21';
const SESSION = 'session-5b1e77aa';

describe('idsOutOfLogs', () => {
  it('replaces the user and device of a key by their marks, keeping the key\'s shape', () => {
    expect(scrub(`${keys.profileBaseline(userRef(USER))} is a string, not a hash`)).toBe(`sf:profile:u:#${marks.mark(userRef(USER))}:baseline is a string, not a hash`);
    expect(scrub(idKeys.link(DEVICE))).toBe(`sf:identity:link:a:#${marks.mark(deviceRef(DEVICE))}`);
    expect(scrub(keys.profileAffinities(userRef(CRAFTED)))).toBe(`sf:profile:u:#${marks.mark(userRef(CRAFTED))}:affinities`);
  });

  it('replaces session ids in keys, and refs standing alone (an experiment unit), and leaves the rest as it was', () => {
    const line = `HINCRBY ${sesKeys.session(SESSION)} version needs ${keys.recsSessionItems(SESSION)}; ${keys.baselineCounted(SESSION)}; ${keys.experimentUnits('recs-strategy')} field ${userRef(USER)}; ${sesKeys.device(DEVICE)}`;
    const out = scrub(line);
    for (const id of [USER, keyPart(USER), DEVICE, SESSION]) expect(out).not.toContain(id);
    expect(out).toContain('sf:session:#');
    expect(out).toContain('sf:recs:session:#');
    expect(out).toContain(':items;');
    expect(out).toContain('sf:baseline:counted:#');
    expect(out).toContain(`sf:experiment:recs-strategy:units field u:#${marks.mark(userRef(USER))}`);
    expect(out).toContain(`sf:sessions:device:a:#${marks.mark(deviceRef(DEVICE))}`);
    const plain = 'aggregates stage stopped taking sf.events.by-user partition 2 at 2026-01-01T10:00:00.000Z: sf:popularity is a hash, not a zset; sf:offset:sf.events:1';
    expect(scrub(plain)).toBe(plain);
  });

  it('scrubs what a stopped partition logs: the reason of a batch that would fail names the key', () => {
    const lines: string[] = [];
    const logger = createLogger('info', (line) => lines.push(line), scrub);
    const error = new BatchWouldFailError(`${keys.profileSessions(deviceRef(DEVICE))} is a string, not a zset`, `ZADD ${keys.profileSessions(deviceRef(DEVICE))}`);
    logger.error(`aggregates stage stopped taking sf.events.by-user partition 0: ${error.message}`, { error, key: idKeys.userDevices(USER) });
    expect(lines).toHaveLength(1);
    for (const id of [USER, keyPart(USER), DEVICE]) expect(lines[0]).not.toContain(id);
    expect(lines[0]).toContain(`sf:profile:a:#${marks.mark(deviceRef(DEVICE))}:sessions is a string, not a zset`);
  });
});
