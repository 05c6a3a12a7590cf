/**
 * The script-tag entry (dist/sessionflow.min.js):
 *   <script async src=".../sessionflow.min.js" data-site-key="..." data-endpoint="..."></script>
 * It exposes the API on `window.sessionflow`, starts the SDK from its own tag's
 * attributes, and then makes the calls the page queued in the stub (see the
 * README's snippet) before the script arrived, in the order they were made.
 */
import { anonymousId, consent, flush, identify, init, on, optOut, page, reset, sessionId, track, userId } from './api.js';
import type { SessionflowApi } from './browser-api.js';

declare global {
  interface Window {
    sessionflow?: SessionflowApi | { q?: [name: keyof SessionflowApi, args: unknown[]][] };
  }
}

const api: SessionflowApi = { init, track, page, identify, reset, consent, optOut, on, flush, anonymousId, sessionId, userId };
// Read now: `currentScript` is only set while this script first runs.
const data = (document.currentScript as HTMLScriptElement | null)?.dataset ?? {};
const stub = window.sessionflow;
const flag = (name: string) => data[name] != null && data[name] !== 'false';
/** A bad call (say, init without an endpoint) is reported and does not stop the rest. */
const run = (name: keyof SessionflowApi, args: unknown[]) => {
  try {
    (api[name] as (...a: unknown[]) => unknown)(...args);
  } catch (error) {
    console.error(error);
  }
};

// Loaded twice (two tags): the first copy keeps the page.
if (!stub || 'q' in stub) {
  window.sessionflow = api;
  if (data['siteKey']) {
    run('init', [
      {
        siteKey: data['siteKey'],
        endpoint: data['endpoint'],
        flushIntervalMs: Number(data['flushIntervalMs']),
        requestTimeoutMs: Number(data['requestTimeoutMs']),
        debug: flag('debug'),
        requireConsent: flag('requireConsent'),
        honorPrivacySignals: flag('honorPrivacySignals'),
      },
    ]);
  }
  stub?.q?.forEach(([name, args]) => api[name] && run(name, args));
}
