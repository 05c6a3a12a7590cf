/**
 * The device class of a browser, from its user agent, for the minute rollups'
 * "by device" split. The edge classifies (it sees the collect request's
 * User-Agent; the page does not send one) and the relay carries the class to
 * the collector, which stamps it on every event's ingest metadata. Coarse on
 * purpose: three classes a funnel is usually cut by, and `unknown`.
 */
export const DEVICE_CLASSES = ['mobile', 'tablet', 'desktop', 'unknown'] as const;
export type DeviceClass = (typeof DEVICE_CLASSES)[number];

// iPadOS 13+ says "Macintosh"; it is told apart only by touch support, which a user agent does not carry.
const TABLET = /iPad|Tablet|PlayBook|Silk|Kindle|Android(?!.*Mobile)/i;
const MOBILE = /Mobi|iPhone|iPod|Android.*Mobile|Windows Phone|BlackBerry|Opera Mini/i;
const DESKTOP = /Windows NT|Macintosh|X11|CrOS|Linux x86_64/i;

export function deviceClassOf(userAgent: string | null | undefined): DeviceClass {
  if (userAgent === null || userAgent === undefined || userAgent === '') return 'unknown';
  if (TABLET.test(userAgent)) return 'tablet';
  if (MOBILE.test(userAgent)) return 'mobile';
  if (DESKTOP.test(userAgent)) return 'desktop';
  return 'unknown';
}
