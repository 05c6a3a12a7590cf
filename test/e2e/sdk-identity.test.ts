/**
 * Identity end to end: a visitor logs in halfway through a session, with the
 * token the site's server signed for them. What the edge relays must let the
 * pipeline stitch the anonymous prefix to the user: the same anonymous id and
 * session throughout, the link as an identify event, and the user id on
 * everything after it.
 */
import { expect, test } from 'vitest';
import { signIdentityToken } from './support/identity-token.js';
import { distinctById, ofType, openShop, sdk, watchPageErrors, withContext } from './support/sdk-page.js';
import { useSdkStack } from './support/sdk-stack.js';
import type { RelayedEvent } from './support/stub-collector.js';

const env = useSdkStack();

const USER_ID = 'user-4242';

test('identify mid-session: anonymous before, linked by an identify event, the user id after; one anonymous id and session', async () => {
  await withContext(env.browser, async (context) => {
    const errors = watchPageErrors(context);
    const { page, ids } = await openShop(context, `${env.stack.pageOrigin}/shop/login`);
    const api = sdk(page);

    await page.click('a.go');
    await api.track('add_to_cart', { productId: 'sku-1001' });
    expect(await api.userId()).toBeUndefined();

    const { siteKey, secrets } = env.stack;
    const token = await signIdentityToken({ userId: USER_ID, siteKey, secret: secrets.sites[siteKey]!.identity });
    await api.identify(USER_ID, { plan: 'pro' }, { token });
    expect(await api.userId()).toBe(USER_ID);
    expect(await api.anonymousId()).toBe(ids.anonymousId);
    expect(await api.sessionId()).toBe(ids.sessionId);

    await page.click('#buy');
    await api.track('purchase', { orderId: 'order-77' });

    const arrived = await env.stack.collector.waitFor(() => {
      const mine = env.stack.collector.eventsOf(ids.anonymousId);
      return ofType(mine, 'identify').length > 0 && ofType(mine, 'track', (e) => e.name === 'purchase').length > 0 ? mine : undefined;
    });
    const { unique: events, conflicting } = distinctById(arrived);
    expect(conflicting).toEqual([]);

    const before = [
      ...ofType(events, 'page_view'),
      ...ofType(events, 'click', (e) => tag(e) === 'a'),
      ...ofType(events, 'track', (e) => e.name === 'add_to_cart'),
    ];
    expect(before.map((e) => e.type).sort()).toEqual(['click', 'page_view', 'track']);
    for (const event of before) {
      expect(event).toMatchObject({ anonymousId: ids.anonymousId, sessionId: ids.sessionId });
      expect(event.userId).toBeUndefined();
    }

    const identify = ofType(events, 'identify');
    expect(identify).toHaveLength(1);
    expect(identify[0]).toMatchObject({ anonymousId: ids.anonymousId, sessionId: ids.sessionId, userId: USER_ID, traits: { plan: 'pro' } });

    const after = [...ofType(events, 'click', (e) => tag(e) === 'button'), ...ofType(events, 'track', (e) => e.name === 'purchase')];
    expect(after).toHaveLength(2);
    for (const event of after) expect(event).toMatchObject({ anonymousId: ids.anonymousId, sessionId: ids.sessionId, userId: USER_ID });

    // The order survives for the stitcher: everything before the link is numbered before it, everything after, after.
    const seqOf = (e: RelayedEvent) => e.seq ?? -1;
    expect(Math.max(...before.map(seqOf))).toBeLessThan(seqOf(identify[0]!));
    expect(Math.min(...after.map(seqOf))).toBeGreaterThan(seqOf(identify[0]!));
    expect(errors).toEqual([]);
  });
});

function tag(event: RelayedEvent): string | undefined {
  return (event.element as { tag?: string } | undefined)?.tag;
}
