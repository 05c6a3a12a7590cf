export { init, track, page, identify, reset, consent, optOut, on, flush, anonymousId, sessionId, userId } from './api.js';
export type { InitOptions } from './config.js';
export type { IdentifyOptions } from './tracker.js';
export type { ConsentChoice, ConsentCategory } from './privacy/consent.js';
export type { SessionflowApi } from './browser-api.js';
export type { Action, IdentityVerdict, RecommendedItem } from '@sessionflow/core';
