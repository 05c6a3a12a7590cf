export * from './types.js';
export * from './popularity.js';
export * from './update.js';
export * from './memory-state.js';
export * from './options.js';
export * from './sample.js';
export * from './neighbours.js';
export * from './recommend.js';
