/**
 * The script-tag entry (dist/sessionflow.min.js):
 *   <script async src=".../sessionflow.min.js" data-site-key="..." data-endpoint="..."></script>
 * It exposes the API on `window.sessionflow` and starts the SDK from its own tag's attributes.
 */
import { anonymousId, flush, init, page, sessionId, track } from './api.js';
import type { SessionflowApi } from './browser-api.js';

declare global {
  interface Window {
    sessionflow?: SessionflowApi;
  }
}

// Read now: `currentScript` is only set while this script first runs.
const script = document.currentScript;

if (window.sessionflow === undefined) {
  window.sessionflow = { init, track, page, flush, anonymousId, sessionId };
  const data = script instanceof HTMLScriptElement ? script.dataset : undefined;
  if (data?.['siteKey'] !== undefined && data['endpoint'] !== undefined) {
    try {
      init({ siteKey: data['siteKey'], endpoint: data['endpoint'], debug: data['debug'] !== undefined && data['debug'] !== 'false' });
    } catch (error) {
      console.error(error);
    }
  }
}
