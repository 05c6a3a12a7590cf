/**
 * Verified identity on real parts (Chromium, workerd, collector, Kafka, Redis,
 * pipeline): device A signs in as U through the storefront, whose server signs
 * the token, and views a product. Other devices then claim to be U with no
 * token, a token signed for another user, an expired one, and one of another
 * site: each is told why in its collect answer, its object at the edge never
 * verifies U nor reads anything but its own device, its recommendations hold
 * nothing of U's, and U's profile keeps A as its only device.
 */
import { sign } from 'hono/jwt';
import { expect, test } from 'vitest';
import type { IdentityRefusal } from '@sessionflow/core';
import { anonymousIdIn, localExperiment } from './support/experiments.js';
import { signIdentityToken } from './support/identity-token.js';
import { useLoopStack } from './support/loop-stack.js';
import { openDevice, profileOf, recommendedOnProductPage, signIn, viewProduct, visitorObject, type Device } from './support/storefront.js';

const env = useLoopStack(['pipeline']);
const USER = 'demo-user-1'; // who the storefront's Sign in button signs in
const USERS_PRODUCT = 'sku-1007'; // what U looks at on A, and nobody else

type Claim = { name: string; reason: IdentityRefusal; token: () => Promise<string | undefined> };

const nowS = () => Math.floor(Date.now() / 1000);

const claims: Claim[] = [
  { name: 'no token', reason: 'token_missing', token: async () => undefined },
  {
    name: 'a token signed for another user',
    reason: 'token_subject',
    token: () => signIdentityToken({ userId: 'someone-else', siteKey: env.stack.siteKey, secret: env.stack.secrets.siteIdentity }),
  },
  {
    name: 'an expired token',
    reason: 'token_expired',
    token: () => sign({ sub: USER, aud: env.stack.siteKey, iat: nowS() - 3600, exp: nowS() - 60 }, env.stack.secrets.siteIdentity, 'HS256'),
  },
  {
    name: 'a token of another site',
    reason: 'token_audience',
    token: () => signIdentityToken({ userId: USER, siteKey: 'another-site-key', secret: 'another-site-identity-secret-of-32-bytes-or-more' }),
  },
];

async function claimToBe(device: Device, token: string | undefined): Promise<void> {
  await device.page.evaluate(
    async ({ user, token }) => {
      window.sessionflow?.identify(user, { plan: 'claimed' }, token === undefined ? {} : { token });
      await window.sessionflow?.flush();
    },
    { user: USER, token },
  );
}

test('a device that claims to be someone else without their token gets nothing of theirs, and is told why', async () => {
  const experiment = localExperiment('recs-strategy');
  const { stack, browser } = env;

  // Someone else makes four products popular, so a list by popularity does not reach U's product either.
  const crowd = await openDevice(browser, stack, anonymousIdIn(experiment, 'popular'));
  for (const productId of ['sku-1002', 'sku-1003', 'sku-1004', 'sku-1005', 'sku-1002', 'sku-1003', 'sku-1004', 'sku-1005']) await viewProduct(crowd.page, productId);
  await expect.poll(async () => (await profileOf(stack, 'device', crowd.anonymousId))?.recentlyViewed ?? [], { timeout: 20_000, interval: 250 }).toHaveLength(4);

  // A: signed in for real, looks at U's product.
  const a = await openDevice(browser, stack, anonymousIdIn(experiment, 'similar'));
  await signIn(a.page);
  await viewProduct(a.page, USERS_PRODUCT);
  await expect.poll(async () => (await profileOf(stack, 'user', USER))?.recentlyViewed ?? [], { timeout: 20_000, interval: 250 }).toContain(USERS_PRODUCT);
  expect((await visitorObject(stack, a.anonymousId)).state?.verifiedUserId).toBe(USER);

  const claimants: Device[] = [];
  for (const claim of claims) {
    const b = await openDevice(browser, stack, anonymousIdIn(experiment, 'similar'));
    claimants.push(b);
    await claimToBe(b, await claim.token());

    // The collect answer names the reason.
    await expect.poll(() => b.answers.map((answer) => answer.identity).filter((verdict) => verdict !== undefined), { timeout: 10_000 }).toContainEqual({ verified: false, reason: claim.reason });
    expect(b.answers.map((answer) => answer.identity)).not.toContainEqual(expect.objectContaining({ verified: true }));

    // What the edge decides for B: recommendations without U's product, in the page and in every answer.
    const shown = await recommendedOnProductPage(b.page, 'sku-1001');
    expect(shown.length, claim.name).toBeGreaterThan(0);
    expect(shown, claim.name).not.toContain(USERS_PRODUCT);
    const answered = b.answers.flatMap((answer) => answer.actions ?? []).flatMap((action) => action.items ?? []).map((item) => item.id);
    expect(answered, claim.name).not.toContain(USERS_PRODUCT);

    // What the edge keeps and reads for B: no verified user, no user id on the session, reads of B's own device only.
    const object = await visitorObject(stack, b.anonymousId);
    expect(object.exists, claim.name).toBe(true);
    expect(object.state?.verifiedUserId, claim.name).toBeUndefined();
    expect(object.state?.session?.userId, claim.name).toBeUndefined();
    expect(object.state?.reads, claim.name).toEqual({ profile: `device:${b.anonymousId}`, recs: `device:${b.anonymousId}` });

    // What the pipeline made of B: its own device's profile, never merged into U's.
    await expect.poll(async () => (await profileOf(stack, 'device', b.anonymousId))?.recentlyViewed ?? [], { timeout: 20_000, interval: 250 }).toContain('sku-1001');
  }

  const profile = await profileOf(stack, 'user', USER);
  expect(profile?.anonymousIds).toEqual([a.anonymousId]);
  expect(profile?.recentlyViewed).toEqual([USERS_PRODUCT]);
  expect(claimants).toHaveLength(claims.length);
});
