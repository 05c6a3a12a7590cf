/**
 * Cross-device, on real parts: one person signs in on two devices (two
 * browser contexts, two anonymous ids), each time with the token the
 * storefront's server signs. What they look at on the first reaches the
 * pipeline through the edge, the collector and Kafka, is stitched to their
 * user id, and changes the recommendations the edge gives the second device;
 * a third device, not signed in, doing the same as the second, does not get
 * them.
 */
import { expect, test } from 'vitest';
import { anonymousIdIn, localExperiment } from './support/experiments.js';
import { useLoopStack } from './support/loop-stack.js';
import { openDevice, profileOf, recommendedOnProductPage, signIn, viewProduct } from './support/storefront.js';

const env = useLoopStack(['pipeline']);
const USER = 'demo-user-1'; // who the storefront's Sign in button signs in

test('what one device viewed changes the recommendations shown on the same user\'s other device', async () => {
  const { stack, browser } = env;
  const experiment = localExperiment('recs-strategy');
  // The devices whose recommendations are compared get session-aware ones (the `similar` variant).
  const [idCrowd, idA, idB, idC] = [anonymousIdIn(experiment, 'popular'), anonymousIdIn(experiment, 'popular'), anonymousIdIn(experiment, 'similar'), anonymousIdIn(experiment, 'similar')];
  const viewed = async (kind: 'user' | 'device', id: string) => (await profileOf(stack, kind, id))?.recentlyViewed ?? [];

  // Someone else makes four products popular, so popularity alone would not point at what A views.
  const crowd = await openDevice(browser, stack, idCrowd);
  for (const productId of ['sku-1002', 'sku-1003', 'sku-1004', 'sku-1005', 'sku-1002', 'sku-1003', 'sku-1004', 'sku-1005']) await viewProduct(crowd.page, productId);
  await expect.poll(() => viewed('device', idCrowd), { timeout: 20_000, interval: 250 }).toHaveLength(4);

  // Device A: signed in, looks at the throw once.
  const a = await openDevice(browser, stack, idA);
  await signIn(a.page);
  await viewProduct(a.page, 'sku-1007');
  await expect.poll(() => viewed('user', USER), { timeout: 20_000, interval: 250 }).toContain('sku-1007');

  // Device B, signed in as the same user, and device C, not signed in, open the same product.
  const b = await openDevice(browser, stack, idB);
  await signIn(b.page);
  const onB = await recommendedOnProductPage(b.page, 'sku-1001');
  const c = await openDevice(browser, stack, idC);
  const onC = await recommendedOnProductPage(c.page, 'sku-1001');

  // B continues from A: the throw leads B's list; C, the same page without A's history, gets the crowd's products.
  expect(onB[0]).toBe('sku-1007');
  expect(onC).not.toContain('sku-1007');
  expect(onC.length).toBeGreaterThan(0);
  expect([...onB, ...onC]).not.toContain('sku-1001');
  expect(b.answers.map((answer) => answer.identity)).toContainEqual({ verified: true, userId: USER });
  expect((await profileOf(stack, 'user', USER))?.anonymousIds.sort()).toEqual([idA, idB].sort());
});
