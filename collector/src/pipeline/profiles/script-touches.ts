/**
 * What the profile's script (script.ts) touches for a call, as the batch's
 * checks need it declared (../../store/batch-checks.ts): each profile's hash,
 * whose `sessions` field it may add one to per session it names, and each
 * profile's sorted set of sessions. `updatedAt` needs no check: the script
 * reads it with `tonumber`, which takes anything, and only ever sets it.
 *
 * ARGV, per profile: hash key, sessions key, latest event time, n, then n
 * pairs of session id and time.
 */
import type { ScriptTouch } from '../../store/batch-checks.js';
import { PROFILE_FIELDS } from './script.js';

export function profileScriptTouches(args: readonly string[]): ScriptTouch[] {
  const touches: ScriptTouch[] = [];
  for (let i = 0; i < args.length; ) {
    const [hash, sessions, , count] = args.slice(i, i + 4);
    const n = Number(count);
    if (hash === undefined || sessions === undefined || !Number.isSafeInteger(n) || n < 0 || i + 4 + 2 * n > args.length) {
      throw new Error('the profile script takes a hash key, a sessions key, a time, n and n session pairs per profile');
    }
    touches.push({ key: hash, type: 'hash', incrementsFields: [{ field: PROFILE_FIELDS.sessions, up: n }] }, { key: sessions, type: 'zset' });
    i += 4 + 2 * n;
  }
  return touches;
}
