/**
 * The envelope the SDK posts to the edge (`POST /v1/collect`). Only the
 * envelope is checked here; each event is validated on its own afterwards.
 */
import { CollectBatchSchema, type CollectBatch } from './batch-schema.js';
import { isCollectBatch } from './generated/validators.js';
import { validateWith, type Validated } from './validate.js';

export { CollectBatchSchema, MAX_BATCH_EVENTS, type CollectBatch } from './batch-schema.js';

export function validateCollectBatch(input: unknown): Validated<CollectBatch> {
  return validateWith(isCollectBatch, CollectBatchSchema, input);
}
