/**
 * The envelope the SDK posts to the edge (`POST /v1/collect`), as a schema
 * only: the build derives its compiled check from it (scripts/event-validator).
 */
import * as v from 'valibot';

export const MAX_BATCH_EVENTS = 500;

export const CollectBatchSchema = v.strictObject(
  {
    events: v.pipe(
      v.array(v.unknown(), 'must be an array'),
      v.minLength(1, 'must hold at least one event'),
      v.maxLength(MAX_BATCH_EVENTS, `must hold at most ${MAX_BATCH_EVENTS} events`),
    ),
    /** Client clock when the batch left, to let the edge estimate clock skew. */
    sentAt: v.optional(v.pipe(v.number('must be a number'), v.integer('must be an integer'))),
  },
  'must be an object with an events array',
);

export type CollectBatch = v.InferOutput<typeof CollectBatchSchema>;
