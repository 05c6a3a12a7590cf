/**
 * No raw id in a log line. Log lines name no user, device or session by its
 * id; what still can carry one is a Redis key quoted in a message (a batch
 * that would fail names the key and what it holds, store/batch-script.ts) or
 * a hash field that is a ref (an experiment's units). This rewrites a line so
 * that every id part of such a key, and every ref, is replaced by its mark:
 *
 * - `u:<user id>` / `a:<anonymous id>` (a ref, in a key or alone) → `u:#<mark>`
 *   / `a:#<mark>`, the mark being the erasure marker's (marks.ts), so a line of
 *   a partition stop and the log line of an erasure name one person alike;
 * - a session id in a key (`session:<id>`, `recs:session:<id>:…`,
 *   `baseline:counted:<id>`) → `#<HMAC of s:<id>>`.
 *
 * The key keeps its shape (`sf:profile:u:#3f9c…:baseline is a string, not a
 * hash`), enough for an operator to know which kind of key is wrong and to
 * find it by pattern. Ids never hold whitespace, quotes, commas or brackets
 * (core's id rules; keys escape everything else), so a key ends at one of them.
 */
import { createHmac } from 'node:crypto';
import type { ErasureMarks } from './marks.js';

/** A rewrite of one log line. */
export type LineScrubber = (line: string) => string;

const REF_SEGMENT = /^[ua]$/;

export function idsOutOfLogs(prefix: string, secret: string, marks: Pick<ErasureMarks, 'mark'>): LineScrubber {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // A key of the deployment, or a ref standing alone (not inside a longer word or key).
  const pattern = new RegExp(`${escaped}:[^\\s"'\\\\,()]+|(?<![\\w:%#-])[ua]:[A-Za-z0-9_.@+|=%-]+`, 'g');
  const sessionMark = (id: string) => `#${createHmac('sha256', secret).update(`s:${id}`).digest('hex')}`;
  const refMark = (kind: string, id: string) => {
    try {
      return `${kind}:#${marks.mark(`${kind}:${id}`)}`;
    } catch {
      // Not a ref after all (an id part that keyPart would never leave so): nothing of it is kept.
      return `${kind}:#?`;
    }
  };
  const scrubKey = (key: string): string => {
    const segments = key.slice(prefix.length + 1).split(':');
    const out: string[] = [];
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i] as string;
      const next = segments[i + 1];
      if (next !== undefined && REF_SEGMENT.test(segment)) {
        out.push(refMark(segment, next));
        i++;
      } else if (next !== undefined && (segment === 'session' || (segment === 'counted' && segments[i - 1] === 'baseline'))) {
        out.push(segment, sessionMark(next));
        i++;
      } else {
        out.push(segment);
      }
    }
    return `${prefix}:${out.join(':')}`;
  };
  return (line) =>
    line.replace(pattern, (match) => {
      if (match.startsWith(`${prefix}:`)) return scrubKey(match);
      const colon = match.indexOf(':');
      return refMark(match.slice(0, colon), match.slice(colon + 1));
    });
}
