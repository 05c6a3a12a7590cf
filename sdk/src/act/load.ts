/**
 * The built-in renderers are loaded when the first action that needs one
 * arrives, so a page that receives none never loads them. With a bundler
 * (the npm build) this is a dynamic import the bundler splits off; the
 * script tag's build swaps this file for load-script-tag.ts (rollup.config.mjs).
 */
import type * as Renderers from './render.js';

export type RendererModule = typeof Renderers;

export const loadRenderers = (): Promise<RendererModule> => import('./render.js');
