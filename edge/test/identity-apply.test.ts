/**
 * applyIdentity, the visitor object's rule for user ids, on its own: what a
 * batch's events become given the identifies' verdicts and the user the
 * visitor verified before.
 */
import type { IdentityVerdict, SessionflowEvent } from '@sessionflow/core';
import { describe, expect, it } from 'vitest';
import { applyIdentity } from '../src/identity/apply.js';
import { visitorEvent } from './events.js';

const VISITOR = 'anon-apply-identity-1';
const at = Date.now();
const identify = (userId: string, extra: Record<string, unknown> = {}) => visitorEvent(VISITOR, 'identify', at, { userId, traits: { plan: 'gold' }, ...extra }) as unknown as SessionflowEvent;
const view = (userId?: string) => visitorEvent(VISITOR, 'page_view', at, userId !== undefined ? { userId } : {}) as unknown as SessionflowEvent;
const verified = (userId: string): IdentityVerdict => ({ verified: true, userId });

describe('applyIdentity', () => {
  it('links on a verified identify: the identify stays, later events keep the user id', () => {
    const out = applyIdentity([identify('u1', { token: 'a.b.c' }), view('u1')], [verified('u1'), undefined], undefined);
    expect(out.verifiedUserId).toBe('u1');
    expect(out.verdict).toEqual(verified('u1'));
    expect(out.events[0]).toMatchObject({ type: 'identify', userId: 'u1', traits: { plan: 'gold' } });
    expect(out.events[0]).not.toHaveProperty('token');
    expect(out.events[1]).toMatchObject({ userId: 'u1' });
  });

  it('keeps a refused identify as a track of the claim, without traits, and drops the claimed id from later events', () => {
    const out = applyIdentity([identify('u1'), view('u1')], [{ verified: false, reason: 'token_expired' }, undefined], undefined);
    expect(out.verifiedUserId).toBeUndefined();
    expect(out.verdict).toEqual({ verified: false, reason: 'token_expired' });
    expect(out.events[0]).toEqual({ ...view(), eventId: out.events[0]!.eventId, type: 'track', name: 'identify_unverified', props: { claimedUserId: 'u1', reason: 'token_expired' } });
    expect(out.events[1]).not.toHaveProperty('userId');
  });

  it('takes an identify without a verdict as one without a token', () => {
    expect(applyIdentity([identify('u1')], [], undefined).verdict).toEqual({ verified: false, reason: 'token_missing' });
  });

  it('does not let a verdict for one user stand for another', () => {
    const out = applyIdentity([identify('u2')], [verified('u1')], undefined);
    expect(out.verdict).toEqual({ verified: false, reason: 'token_subject' });
    expect(out.verifiedUserId).toBeUndefined();
  });

  it('takes an identify of the user already verified as it is, token or not', () => {
    const out = applyIdentity([identify('u1')], [{ verified: false, reason: 'token_missing' }], 'u1');
    expect(out.verdict).toEqual(verified('u1'));
    expect(out.events[0]).toMatchObject({ type: 'identify', userId: 'u1' });
  });

  it('keeps the verified user when another is claimed without proof, and says so', () => {
    const out = applyIdentity([view('u2'), view('u1'), view()], [], 'u1');
    expect(out.verifiedUserId).toBe('u1');
    expect(out.verdict).toEqual({ verified: false, reason: 'not_verified' });
    expect(out.events.map((e) => e.userId)).toEqual([undefined, 'u1', undefined]);
  });

  it('says nothing when nothing claimed a user', () => {
    expect(applyIdentity([view(), view()], [], undefined).verdict).toBeUndefined();
  });
});
