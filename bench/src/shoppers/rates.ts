/**
 * What the Diginetica sample cannot say, taken from published figures instead
 * (stated here and in bench/README.md, "flash-sale"), so nothing in the load is
 * a number made up for it:
 *
 * - Carts and purchases. The sample holds item views only. Dynamic Yield's
 *   ecommerce benchmarks (XP² "Ecommerce Statistics and Benchmarks",
 *   marketing.dynamicyield.com/benchmarks/, gathered from 200+ million users
 *   over 300 million sessions of its clients; the 12-month global averages as
 *   quoted at samueljtanner.blog/tag/digital-marketing): an add-to-cart rate of
 *   7.16 % and a conversion rate of 3.21 %. Both are read per session: a
 *   session adds to its cart with probability 0.0716, and buys with 0.0321,
 *   only ever after adding, so a session with a cart buys with 0.0321 / 0.0716.
 *   Chosen because it is one source for the whole funnel, over a very large
 *   mix of shops and devices; a flash sale likely converts better, which this
 *   load does not pretend to know.
 * - Devices. The same benchmark's device mix (65 % mobile, 32.17 % desktop,
 *   2.83 % tablet) picks each simulated device's browser (the edge classes its
 *   user agent). Criteo's "State of Cross-Device Commerce" (H2 2016, US:
 *   criteo.com/insights/3-reasons-cross-device-shopping-costing-think): 31 % of
 *   purchasing journeys involve two or more devices; so a signed-in user has two
 *   devices with probability 0.31, one otherwise. Only a signed-in user can be
 *   seen across devices, which is why the share applies to them.
 */

export interface PublishedRates {
  /** Share of sessions that add a product to the cart. */
  addToCart: number;
  /** Share of sessions that buy (a subset of those that added to the cart). */
  purchase: number;
  /** Share of signed-in users on two devices. */
  crossDevice: number;
  /** Share of devices by class. */
  deviceMix: Readonly<Record<DeviceKind, number>>;
}

export type DeviceKind = 'mobile' | 'desktop' | 'tablet';

export const PUBLISHED_RATES: PublishedRates = {
  addToCart: 0.0716,
  purchase: 0.0321,
  crossDevice: 0.31,
  deviceMix: { mobile: 0.65, desktop: 0.3217, tablet: 0.0283 },
};

/** A browser's user agent for each class, as deviceClassOf in core reads them (none looks like a bot). */
export const USER_AGENTS: Readonly<Record<DeviceKind, string>> = {
  mobile: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  desktop: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  tablet: 'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
};
