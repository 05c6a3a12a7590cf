/**
 * The visitor object's part of verified identity: what a batch's events look
 * like once the visitor's verified user id and the identifies' verdicts are
 * applied, before anything is folded into the session or put into the outbox.
 * Pure: the same rule for the object and for the direct relay when the
 * object failed.
 *
 * - a verified identify links: it becomes the visitor's verified user id;
 * - an identify naming the user this visitor already verified links nothing
 *   new and is kept as it is, token or not;
 * - any other identify is kept as a `track` of the claim
 *   (`identify_unverified`, `props: { claimedUserId, reason }`, traits dropped);
 * - every other event keeps its `userId` only when it is the verified one.
 */
import { UNVERIFIED_IDENTIFY_EVENT, type IdentityVerdict, type SessionflowEvent } from '@sessionflow/core';

export interface AppliedIdentity {
  events: SessionflowEvent[];
  verifiedUserId: string | undefined;
  /** What the collect answer says: the last identify's verdict, else `not_verified` when an event claimed a user it had not verified. */
  verdict: IdentityVerdict | undefined;
}

export function applyIdentity(events: readonly SessionflowEvent[], verdicts: readonly (IdentityVerdict | undefined)[], verifiedBefore: string | undefined): AppliedIdentity {
  let verifiedUserId = verifiedBefore;
  let identifyVerdict: IdentityVerdict | undefined;
  let claimed = false;
  const out = events.map((event, index): SessionflowEvent => {
    if (event.type === 'identify') {
      const given = verdicts[index] ?? { verified: false, reason: 'token_missing' };
      const verdict: IdentityVerdict =
        (given.verified && given.userId === event.userId) || event.userId === verifiedUserId ? { verified: true, userId: event.userId } : refusal(given);
      identifyVerdict = verdict;
      if (verdict.verified) {
        verifiedUserId = verdict.userId;
        const { token: _never, ...identify } = event;
        return identify;
      }
      return unverifiedIdentify(event, verdict.reason);
    }
    if (event.userId === undefined || event.userId === verifiedUserId) return event;
    claimed = true;
    const { userId: _unverified, ...rest } = event;
    return rest as SessionflowEvent;
  });
  const verdict = identifyVerdict ?? (claimed ? { verified: false, reason: 'not_verified' } : undefined);
  return { events: out, verifiedUserId, verdict };
}

function refusal(given: IdentityVerdict): Extract<IdentityVerdict, { verified: false }> {
  // A verdict for another user than the identify names cannot stand for it.
  return given.verified ? { verified: false, reason: 'token_subject' } : given;
}

function unverifiedIdentify(event: Extract<SessionflowEvent, { type: 'identify' }>, reason: string): SessionflowEvent {
  const { schemaVersion, eventId, anonymousId, sessionId, timestamp, seq, page } = event;
  return {
    schemaVersion,
    eventId,
    anonymousId,
    sessionId,
    timestamp,
    ...(seq !== undefined ? { seq } : {}),
    page,
    type: 'track',
    name: UNVERIFIED_IDENTIFY_EVENT,
    props: { claimedUserId: event.userId, reason },
  };
}
