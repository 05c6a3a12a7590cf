/**
 * A decision the edge made for a visitor: one action a rule gave for one batch
 * (rule/decide.ts), as it travels to the data. The visitor object puts the
 * decisions of a batch into the batch it keeps in its outbox, so they are
 * relayed durably with the events and stamped with their session
 * (relay/envelope.ts); the collector writes each as a `decision` record of
 * `sf.events` (record.ts). A browser can never send one: `decision` is not an
 * event type of `EventSchema`.
 */
import * as v from 'valibot';
import { fieldErrors, type Validated } from '../event/validate.js';

/** Decisions relayed with one batch, at most. */
export const MAX_RELAYED_DECISIONS = 50;

const Name = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(128, 'must be at most 128 characters'));

export const DecidedSchema = v.strictObject(
  {
    /**
     * Unique per decision (the edge draws it when it decides). Not the action
     * id: that is `<ruleId>:<n>`, the same every time the rule fires, so its
     * exposures count together.
     */
    id: Name,
    /** The edge's clock when it decided (epoch ms). */
    at: v.pipe(v.number('must be a number'), v.integer('must be an integer (epoch milliseconds)'), v.minValue(0, 'must not be negative')),
    ruleId: Name,
    /** The action's id, which the page's `exposure` event names. */
    actionId: Name,
    kind: Name,
    slot: v.optional(Name),
    experiment: v.optional(Name),
    variant: v.optional(Name),
  },
  'must be an object with id, at, ruleId, actionId and kind',
);

export type Decided = v.InferOutput<typeof DecidedSchema>;

export function validateDecided(input: unknown): Validated<Decided> {
  const result = v.safeParse(DecidedSchema, input, { abortPipeEarly: true });
  return result.success ? { ok: true, value: result.output } : { ok: false, errors: fieldErrors(result.issues) };
}

/** What a decision is made of: an action the rules gave (rule/decide.ts's `Decision` fits). */
export interface DecidedAction {
  id: string;
  ruleId: string;
  kind: string;
  slot?: string | undefined;
  experiment?: string | undefined;
  variant?: string | undefined;
}

/** The decision record of `action`, decided at `at` and named `id` (the caller draws it: core has no randomness). */
export function decidedOf(action: DecidedAction, at: number, id: string): Decided {
  return {
    id,
    at,
    ruleId: action.ruleId,
    actionId: action.id,
    kind: action.kind,
    ...(action.slot !== undefined ? { slot: action.slot } : {}),
    ...(action.experiment !== undefined ? { experiment: action.experiment } : {}),
    ...(action.variant !== undefined ? { variant: action.variant } : {}),
  };
}
