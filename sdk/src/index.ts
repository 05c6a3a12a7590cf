export { init, track, page, flush, anonymousId, sessionId } from './api.js';
export type { InitOptions } from './config.js';
export type { SessionflowApi } from './browser-api.js';
