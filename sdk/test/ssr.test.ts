import { expect, it } from 'vitest';

it('imports and answers without a browser (SSR): no window is touched before init', async () => {
  expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
  const sdk = await import('../src/index.js');
  expect(sdk.anonymousId()).toBeUndefined();
  expect(sdk.sessionId()).toBeUndefined();
  sdk.track('add_to_cart', { productId: 'sku-1001' });
  sdk.page();
  await expect(sdk.flush()).resolves.toBeUndefined();
});

