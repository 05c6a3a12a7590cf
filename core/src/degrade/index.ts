export * from './level.js';
export * from './policy.js';
