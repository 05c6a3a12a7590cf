/**
 * Actions: what the edge decides and the SDK applies, carried in the collect
 * response's `actions`. The SDK renders `banner` and `recs` itself and hands
 * every action to the site's `on('action')` handlers; the rest (offers,
 * reorders, custom kinds) are the site's to apply. Text is always text: the SDK
 * never renders a field of an action as HTML.
 */
import * as v from 'valibot';

const Name = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(128, 'must be at most 128 characters'));
const Text = v.pipe(v.string('must be a string'), v.maxLength(512, 'must be at most 512 characters'));
const Link = v.pipe(v.string('must be a string'), v.maxLength(2048, 'must be at most 2048 characters'), v.regex(/^(https?:\/\/|\/)/i, 'must be an http(s) URL or a path'));

export const RecommendedItemSchema = v.strictObject(
  {
    id: Name,
    name: Text,
    href: v.optional(Link),
    price: v.optional(v.pipe(v.string('must be a string'), v.maxLength(32, 'must be at most 32 characters'))),
  },
  'must be an object with id, name and optional href, price',
);

export const ActionSchema = v.object(
  {
    /** Unique per decision; the exposure event names it. */
    id: Name,
    /** `banner`, `recs`, or a kind the site handles (`offer`, `reorder`, custom). */
    kind: Name,
    /** The `data-sf-slot` it renders into; defaults to the kind's own slot (`banner`, `recs`). */
    slot: v.optional(Name),
    experiment: v.optional(Name),
    variant: v.optional(Name),
    title: v.optional(Text),
    text: v.optional(Text),
    href: v.optional(Link),
    /** The link's label on a banner. */
    cta: v.optional(Text),
    items: v.optional(v.pipe(v.array(RecommendedItemSchema, 'must be an array'), v.maxLength(50, 'must have at most 50 items'))),
  },
  'must be an object with id and kind',
);

/** Open to extra fields (`v.object`), so custom kinds can carry their own data to the site's handlers. */
export type Action = v.InferOutput<typeof ActionSchema> & Record<string, unknown>;
export type RecommendedItem = v.InferOutput<typeof RecommendedItemSchema>;
