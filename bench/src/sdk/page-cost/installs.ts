/**
 * How each script is installed on the shop's page, the way its own docs put
 * it on a site: a snippet in the head and the script-tag build (the very file
 * the size figures measure), pointed at this machine's stand-ins instead of
 * the vendor's servers. Each install names the files it serves and the
 * configuration its script fetches at start, so nothing waits on the internet.
 */
import path from 'node:path';
import { installedPackage } from '../files.js';
import { peers, type Peer } from '../peers.js';

/** A file the page server serves for an install: its URL path and where it is on disk. */
export interface ServedFile {
  urlPath: string;
  file: string;
}

/** A folder served under a URL prefix (a script's lazily loaded chunks). */
export interface ServedDir {
  urlPrefix: string;
  dir: string;
}

export interface Install {
  /** `none`, `sessionflow` or a peer's name. */
  name: string;
  /** Keeps the shop's own Sessionflow stub and script tag; every other install replaces them with its own tags. */
  keepsSessionflow: boolean;
  /** The tags put where the shop's Sessionflow tag was, given the page server's origin. */
  head(origin: string): string;
  files: ServedFile[];
  dirs: ServedDir[];
  /** What this install does differently from the peer's size figure, said with its figures. */
  note?: string;
  /** JSON answers to GET requests the script makes at start (its remote configuration), by URL path, given the origin. */
  config(origin: string): Record<string, unknown>;
}

const peerFile = (peer: Peer) => path.join(installedPackage(peer.pkg).dir, peer.file);

/** The shop's page with no analytics at all. */
export const noScript: Install = { name: 'none', keepsSessionflow: false, head: () => '', files: [], dirs: [], config: () => ({}) };

/** Sessionflow as the storefront itself installs it: its stub snippet and the async script tag (kept from the page). */
export const sessionflow: Install = { name: 'sessionflow', keepsSessionflow: true, head: () => '', files: [], dirs: [], config: () => ({}) };

const WRITE_KEY = 'benchwritekey';
const RUDDERSTACK_BUNDLED = 'dist/npm/modern/bundled/umd/index.js';

/** Installs of the peers the suite knows, by peer name: a peer without one stops the suite. */
const peerInstalls: Record<string, (peer: Peer) => Omit<Install, 'name' | 'keepsSessionflow'>> = {
  // The tracker's documented basics, a tracker and then a page view, once its async script has loaded.
  snowplow: (peer) => ({
    head: (origin) =>
      `<script async src="/peer/snowplow.js" onload="snowplowBrowserTracking.newTracker('sp', '${origin}', { appId: 'bench' }); snowplowBrowserTracking.trackPageView();"></script>`,
    files: [{ urlPath: '/peer/snowplow.js', file: peerFile(peer) }],
    dirs: [],
    config: () => ({}),
  }),
  // Segment's snippet, reduced to what standalone.js reads: the buffered calls, the write key, the CDN it loads settings and chunks from.
  segment: (peer) => ({
    head: (origin) =>
      `<script>var analytics = window.analytics = []; analytics._writeKey = '${WRITE_KEY}'; analytics._cdn = '${origin}'; ` +
      `analytics.page = function () { analytics.push(['page'].concat([].slice.call(arguments))); }; analytics.page();</script>` +
      `<script async src="/analytics.js/v1/${WRITE_KEY}/analytics.min.js"></script>`,
    files: [{ urlPath: `/analytics.js/v1/${WRITE_KEY}/analytics.min.js`, file: peerFile(peer) }],
    dirs: [{ urlPrefix: '/analytics-next/bundles/', dir: path.dirname(peerFile(peer)) }],
    config: (origin) => ({
      [`/v1/projects/${WRITE_KEY}/settings`]: {
        integrations: { 'Segment.io': { apiKey: WRITE_KEY, apiHost: `${new URL(origin).host}/v1`, protocol: 'http' } },
        plan: { track: { __default: { enabled: true } }, identify: { __default: { enabled: true } } },
      },
    }),
  }),
  // PostHog's snippet queues init in `_i`; array.js picks it up, and its extensions load from api_host/static/.
  posthog: (peer) => ({
    head: (origin) =>
      `<script>window.posthog = []; posthog._i = [['phc_bench', { api_host: '${origin}', person_profiles: 'identified_only' }]];</script>` +
      `<script async src="/static/array.js"></script>`,
    files: [],
    dirs: [{ urlPrefix: '/static/', dir: path.dirname(peerFile(peer)) }],
    // Its remote configuration for a project with nothing switched on.
    config: () => ({ '/array/phc_bench/config': {} }),
  }),
  // The v3 SDK's npm UMD build, once its async script has loaded: load with a config URL and a data plane here, then a page view.
  // The build the size figure measures fetches its plugins (the queue that sends, among them) from RudderStack's CDN, and npm
  // does not have them: without them it sends nothing. So the page loads the package's bundled build, plugins in.
  rudderstack: (peer) => ({
    note: `loads ${peer.pkg}'s bundled build (${RUDDERSTACK_BUNDLED}), plugins in: its plugins, which the measured build fetches from RudderStack's CDN, are not on npm`,
    head: (origin) =>
      `<script async src="/peer/rudderstack.js" onload="var ra = new rudderanalytics.RudderAnalytics(); ` +
      `ra.load('${WRITE_KEY}', '${origin}', { configUrl: '${origin}' }); ra.page();"></script>`,
    files: [{ urlPath: '/peer/rudderstack.js', file: path.join(installedPackage(peer.pkg).dir, RUDDERSTACK_BUNDLED) }],
    dirs: [],
    config: () => ({
      '/sourceConfig/': {
        isHosted: true,
        source: { config: {}, id: 'bench-source', name: 'bench', writeKey: WRITE_KEY, workspaceId: 'bench-workspace', enabled: true, destinations: [] },
      },
    }),
  }),
};

/** Every install the page load is measured with: none, ours, then each peer's in the suite's order. */
export function installs(): Install[] {
  return [
    noScript,
    sessionflow,
    ...peers.map((peer) => {
      const install = peerInstalls[peer.name];
      if (install === undefined) throw new Error(`peers.ts has a peer "${peer.name}" that page-cost/installs.ts does not know how to put on a page: add its install there`);
      return { name: peer.name, keepsSessionflow: false, ...install(peer) };
    }),
  ];
}
