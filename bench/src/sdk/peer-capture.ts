/**
 * Each peer on the capture-cost page, capturing a click the way its own docs
 * put it: the same script-tag build and files as its page-load install
 * (page-cost/installs.ts, which also says what it serves and answers), with
 * its tags where our tag is, and its click capture: a capture-phase listener
 * on the document, like ours, that calls the peer's own track call with the
 * product the card declares, as their docs give for a tracked click (Snowplow's
 * browser tracker, Segment and RudderStack have no click capture in the
 * measured builds; PostHog's autocapture is turned off, so that a click is one
 * event there too, and its headless-browser filter and client-side rate limit
 * are lifted, so that it drops none of them). That describes no element, so it is less work per
 * click than ours: it flatters them, if anything.
 */
import { installs, type Install } from './page-cost/installs.js';

export interface PeerCapturePage {
  name: string;
  install: Install;
  /** The tags put where our tag is on the store page, given the page server's origin. */
  head(origin: string): string;
  /** An expression, true in the page once the peer has started and will capture a click. */
  ready: string;
}

const WRITE_KEY = 'benchwritekey';

/** The site's own listener the peers' docs give for a tracked click: `track` is the peer's call, `id` the card's product. */
const onProductClick = (track: string) =>
  `<script>document.addEventListener('click', function (event) {` +
  ` var card = event.target.closest && event.target.closest('[data-sf-product]');` +
  ` if (card) { var id = card.getAttribute('data-sf-product'); ${track}; }` +
  ` }, true);</script>`;

const heads: Record<string, Pick<PeerCapturePage, 'head' | 'ready'>> = {
  snowplow: {
    head: (origin) =>
      `<script async src="/peer/snowplow.js" onload="snowplowBrowserTracking.newTracker('sp', '${origin}', { appId: 'bench' }); snowplowBrowserTracking.trackPageView(); window.__peerReady = true;"></script>` +
      // Snowplow's structured event: category, action, label (its docs' way to track a custom interaction).
      onProductClick(`snowplowBrowserTracking.trackStructEvent({ category: 'product', action: 'click', label: id })`),
    ready: 'window.__peerReady === true',
  },
  segment: {
    head: (origin) =>
      `<script>var analytics = window.analytics = []; analytics._writeKey = '${WRITE_KEY}'; analytics._cdn = '${origin}'; ` +
      `analytics.page = function () { analytics.push(['page'].concat([].slice.call(arguments))); }; analytics.page();</script>` +
      `<script async src="/analytics.js/v1/${WRITE_KEY}/analytics.min.js"></script>` +
      // Segment's e-commerce spec names this event.
      onProductClick(`window.analytics.track('Product Clicked', { product_id: id })`),
    ready: 'window.analytics && window.analytics.initialized === true',
  },
  posthog: {
    head: (origin) =>
      // It drops every event of a headless browser (its user-agent filter) and, by default, beyond 10 events a second
      // in bursts of 100 (the bench's clicks come hundreds a second): both lifted, so that every click is captured, as
      // ours are. Its autocapture is off, so that a click is one event, tracked like the other peers'.
      `<script>window.posthog = []; posthog._i = [['phc_bench', { api_host: '${origin}', person_profiles: 'identified_only', ` +
      `opt_out_useragent_filter: true, autocapture: false, rate_limiting: { events_per_second: 100000, events_burst_limit: 1000000 } }]];</script>` +
      `<script async src="/static/array.js"></script>` +
      onProductClick(`window.posthog.capture('product_clicked', { product_id: id })`),
    ready: 'window.posthog && window.posthog.__loaded === true',
  },
  rudderstack: {
    head: (origin) =>
      `<script async src="/peer/rudderstack.js" onload="var ra = window.__rudder = new rudderanalytics.RudderAnalytics(); ` +
      `ra.load('${WRITE_KEY}', '${origin}', { configUrl: '${origin}' }); ra.page(); ra.ready(function () { window.__peerReady = true; });"></script>` +
      onProductClick(`window.__rudder.track('Product Clicked', { product_id: id })`),
    ready: 'window.__peerReady === true',
  },
};

/** Every peer the suite knows, on the capture page; a peer without a capture here stops the suite, naming it. */
export function peerCapturePages(): PeerCapturePage[] {
  return installs()
    .filter((install) => install.name !== 'none' && install.name !== 'sessionflow')
    .map((install) => {
      const head = heads[install.name];
      if (head === undefined) throw new Error(`peers.ts has a peer "${install.name}" that peer-capture.ts does not know how to capture a click with: add it there`);
      return { name: install.name, install, ...head };
    });
}
