export * from './event/schema.js';
export * from './event/validate.js';
export * from './event/batch.js';
export * from './event/record.js';
export * from './relay/envelope.js';
export * from './relay/signature.js';
export * from './topics.js';
export * from './session/session.js';
