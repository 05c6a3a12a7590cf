/**
 * The rules document, version by version: what the edge loads from KV and
 * evaluates on every decision. Unknown fields are refused so a typo
 * (`cooldown` for `cooldownMs`) is an error, not a rule that silently ignores it.
 */
import * as v from 'valibot';
import { ActionSchema } from '../action/action.js';
import { HOLDOUT_VARIANT } from '../experiment/schema.js';
import { isPlainObject } from './condition-check.js';
import type { Condition } from './condition.js';

export const ACTION_KINDS = ['banner', 'recs', 'offer', 'reorder', 'custom'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export const RECS_STRATEGIES = ['similar', 'popular', 'recent', 'category'] as const;
export type RecsStrategy = (typeof RECS_STRATEGIES)[number];

export const MAX_RULES = 500;
export const MAX_ACTIONS_PER_RULE = 10;

const Name = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(128, 'must be at most 128 characters'));

// A rule id becomes part of each action id (`<ruleId>:<n>`), hence no colon.
const RuleId = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must not be empty'),
  v.maxLength(64, 'must be at most 64 characters'),
  v.regex(/^[A-Za-z0-9_.-]+$/, 'may hold only letters, digits and _ . -'),
);

const ConditionSchema = v.custom<Condition>(
  isPlainObject,
  'must be a JSON Logic condition: an object such as {">=": [{"var": "signals.productViews"}, 3]}',
);

const Strategy = v.picklist(RECS_STRATEGIES, `must be one of ${RECS_STRATEGIES.join(', ')}`);

// The text fields are the collect response's own, so every decision is a valid Action.
const presentation = {
  slot: ActionSchema.entries.slot,
  title: ActionSchema.entries.title,
  text: ActionSchema.entries.text,
  href: ActionSchema.entries.href,
  cta: ActionSchema.entries.cta,
};

const BannerSpec = v.strictObject({ kind: v.literal('banner'), ...presentation });

const RecsSpec = v.strictObject({
  kind: v.literal('recs'),
  ...presentation,
  strategy: v.optional(Strategy),
  /** How many items the edge puts in; its own default when absent. */
  limit: v.optional(v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(1, 'must be 1 to 50'), v.maxValue(50, 'must be 1 to 50'))),
});

const OfferSpec = v.strictObject({
  kind: v.literal('offer'),
  ...presentation,
  /**
   * The product offered: an id, or a condition-language expression giving one
   * (`{"var": "page.productId"}`). With a product the offer is made only when
   * `inStock[productId]` is true; without one (free shipping, say) it has no stock to check.
   */
  productId: v.optional(v.union([Name, ConditionSchema], 'must be a product id or an expression such as {"var": "page.productId"}')),
});

const ReorderSpec = v.strictObject({ kind: v.literal('reorder'), ...presentation, strategy: v.optional(Strategy) });

const CustomSpec = v.strictObject({
  kind: v.literal('custom'),
  ...presentation,
  /** Which of the site's handlers it is for. */
  name: Name,
  data: v.optional(
    v.pipe(
      v.record(v.string(), v.unknown(), 'must be an object'),
      v.check((d) => Object.keys(d).length <= 32, 'must have at most 32 keys'),
    ),
  ),
});

export const ActionSpecSchema = v.variant('kind', [BannerSpec, RecsSpec, OfferSpec, ReorderSpec, CustomSpec], `must be an action whose kind is one of ${ACTION_KINDS.join(', ')}`);

export const RuleSchema = v.strictObject(
  {
    id: RuleId,
    description: v.optional(v.pipe(v.string('must be a string'), v.maxLength(512, 'must be at most 512 characters'))),
    /** Higher first; equal priorities keep their order in the document. */
    priority: v.pipe(v.number('must be a number'), v.safeInteger('must be an integer')),
    when: ConditionSchema,
    actions: v.pipe(
      v.array(ActionSpecSchema, 'must be an array of actions'),
      v.minLength(1, 'must hold at least one action'),
      v.maxLength(MAX_ACTIONS_PER_RULE, `must hold at most ${MAX_ACTIONS_PER_RULE} actions`),
    ),
    /** The rule applies only to units bucketed into this variant of this experiment. */
    experiment: v.optional(
      v.strictObject(
        {
          key: Name,
          variant: v.pipe(Name, v.notValue(HOLDOUT_VARIANT, 'must not be "holdout": the holdout is kept out of every rule of its experiment')),
        },
        'must be an object with key and variant',
      ),
    ),
    /** Per session: the caller keeps `shown` per session. */
    cap: v.optional(
      v.strictObject(
        { perSession: v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(1, 'must be at least 1')) },
        'must be an object with perSession',
      ),
    ),
    /** Least time between two firings of the rule. */
    cooldownMs: v.optional(v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(0, 'must not be negative'))),
  },
  'must be a rule: an object with id, priority, when and actions',
);

export const RulesDocumentSchema = v.strictObject(
  {
    /** Whoever publishes the document names the version (a date, a git sha); decisions report it. */
    version: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(64, 'must be at most 64 characters')),
    rules: v.pipe(v.array(RuleSchema, 'must be an array of rules'), v.maxLength(MAX_RULES, `must hold at most ${MAX_RULES} rules`)),
  },
  'must be a rules document: an object with version and rules',
);

export type ActionSpec = v.InferOutput<typeof ActionSpecSchema>;
export type Rule = v.InferOutput<typeof RuleSchema>;
export type RulesDocument = v.InferOutput<typeof RulesDocumentSchema>;
