/**
 * The script tag's way to the built-in renderers: a file of its own beside the
 * script (`sessionflow.act.js`, an ES module), imported from the script's own
 * URL the first time an action needs it, so a page that receives no action never
 * asks for it. rollup.config.mjs puts this file in place of load.ts in the
 * script-tag builds only: it reads `document` as it loads, which the npm build
 * must not (it is imported during server-side rendering).
 */
import type { RendererModule } from './load.js';

/** The file name the script-tag builds give the renderers (rollup.config.mjs). */
export const RENDERERS_FILE = 'sessionflow.act.js';

// Read now: `currentScript` is only set while the script first runs.
const scriptUrl = (document.currentScript as HTMLScriptElement | null)?.src || document.baseURI;

export const loadRenderers = (): Promise<RendererModule> => import(new URL(RENDERERS_FILE, scriptUrl).href) as Promise<RendererModule>;
