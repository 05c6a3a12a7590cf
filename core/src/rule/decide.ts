/**
 * A decision: which actions the page shows now, given the rules, what the
 * session looks like and what was already shown. Pure: the caller passes the
 * time and the shown-so-far record, and records what fired (`recordShown`).
 */
import { evaluate } from './condition.js';
import type { ActionKind, ActionSpec, RecsStrategy, Rule, RulesDocument } from './schema.js';

/** A signal's value as `signalsOf` gives it: a number, a label, a flag, or a per-category record. */
export type SignalValue = number | string | boolean | Readonly<Record<string, number>>;

/**
 * Signals by name. Written as a mapped type so an interface (such as
 * `SessionSignals`) fits too, not only a record with an index signature.
 */
export type Signals<S = Record<string, SignalValue>> = { readonly [K in keyof S]: SignalValue };

/** What a condition can read, under these names (`{"var": "signals.bounceRisk"}`, `{"var": "page.productId"}`). */
export interface DecisionContext<S extends Signals<S> = Record<string, SignalValue>> {
  signals: S;
  /** The cross-device profile, when the edge has a fresh enough copy. */
  profile?: Readonly<Record<string, unknown>>;
  page: { url: string; path: string; productId?: string; category?: string };
  /** The unit's variant per experiment key (`holdout` included). */
  variants: Readonly<Record<string, string>>;
  /** Product id → in stock. An offer for a product not listed as `true` is not made. */
  inStock?: Readonly<Record<string, boolean>>;
}

export interface ShownRecord {
  /** Times the rule fired in this session. */
  count: number;
  /** When it last fired, epoch ms. */
  lastAt: number;
}

export interface DecisionState {
  /** Rule id → what it did in the current session; the caller starts it empty with each new session. */
  shown: Readonly<Record<string, ShownRecord>>;
  nowMs: number;
}

/** One action for the page: a valid core `Action` (it carries `id`, `kind`, `slot`, the experiment and variant). */
export type Decision = {
  /** `<ruleId>:<n>`, n the action's index in its rule: stable, so exposures of the same action count together. */
  id: string;
  ruleId: string;
  kind: ActionKind;
  /** Where it renders: the action's slot, else the slot named like its kind. */
  slot: string;
  experiment?: string;
  variant?: string;
  title?: string;
  text?: string;
  href?: string;
  cta?: string;
  strategy?: RecsStrategy;
  limit?: number;
  productId?: string;
  name?: string;
  data?: Record<string, unknown>;
};

export interface RuleFailure {
  ruleId: string;
  reason: string;
}

export interface DecideResult {
  /** At most one per slot, in the order of their rules' priority. */
  actions: Decision[];
  /** Rules that gave at least one action: the caller records these with `recordShown`. */
  fired: string[];
  /** Rules whose condition could not be evaluated (e.g. compared a record to a number); they did not fire. */
  errors: RuleFailure[];
}

/**
 * Goes through the rules by priority (higher first, ties in document order).
 * A rule fires when its experiment variant matches (if it has one), its
 * per-session cap is not reached, its cooldown has passed and its condition is
 * truthy. Each of its actions takes its slot unless a higher rule took it; an
 * offer whose product is not in stock is dropped. A rule none of whose actions
 * survive did not fire, so it spends neither its cap nor its cooldown.
 */
export function decide<S extends Signals<S>>(rules: RulesDocument, context: DecisionContext<S>, state: DecisionState): DecideResult {
  const result: DecideResult = { actions: [], fired: [], errors: [] };
  const taken = new Set<string>();
  for (const rule of byPriority(rules.rules)) {
    if (!eligible(rule, context, state)) continue;
    // Skip the condition when nothing the rule could show has a free slot.
    if (rule.actions.every((spec) => taken.has(slotOf(spec)))) continue;
    const verdict = evaluate(rule.when, context);
    if (!verdict.ok) {
      result.errors.push({ ruleId: rule.id, reason: verdict.reason });
      continue;
    }
    if (!verdict.truthy) continue;
    let made = 0;
    rule.actions.forEach((spec, n) => {
      const slot = slotOf(spec);
      if (taken.has(slot)) return;
      const decision = toDecision(rule, spec, n, slot, context);
      if (!decision) return;
      taken.add(slot);
      result.actions.push(decision);
      made += 1;
    });
    if (made > 0) result.fired.push(rule.id);
  }
  return result;
}

/** The next `shown` record after the rules in `fired` fired at `nowMs`. */
export function recordShown(
  shown: Readonly<Record<string, ShownRecord>>,
  fired: readonly string[],
  nowMs: number,
): Record<string, ShownRecord> {
  const next: Record<string, ShownRecord> = { ...shown };
  for (const ruleId of fired) next[ruleId] = { count: (shownOf(shown, ruleId)?.count ?? 0) + 1, lastAt: nowMs };
  return next;
}

function byPriority(rules: readonly Rule[]): Rule[] {
  // Array#sort is stable, which keeps document order among equal priorities.
  return [...rules].sort((a, b) => b.priority - a.priority);
}

function eligible<S extends Signals<S>>(rule: Rule, context: DecisionContext<S>, state: DecisionState): boolean {
  if (rule.experiment && ownValue(context.variants, rule.experiment.key) !== rule.experiment.variant) return false;
  const shown = shownOf(state.shown, rule.id);
  if (!shown) return true;
  if (rule.cap && shown.count >= rule.cap.perSession) return false;
  if (rule.cooldownMs !== undefined && state.nowMs - shown.lastAt < rule.cooldownMs) return false;
  return true;
}

function slotOf(spec: ActionSpec): string {
  return spec.slot ?? spec.kind;
}

function toDecision<S extends Signals<S>>(rule: Rule, spec: ActionSpec, n: number, slot: string, context: DecisionContext<S>): Decision | undefined {
  // An offer's productId may be an expression: it is resolved below, never copied.
  const { productId: _expression, ...fields } = spec as ActionSpec & { productId?: unknown };
  const decision: Decision = { ...fields, id: `${rule.id}:${n}`, ruleId: rule.id, slot };
  if (rule.experiment) {
    decision.experiment = rule.experiment.key;
    decision.variant = rule.experiment.variant;
  }
  if (spec.kind === 'offer' && spec.productId !== undefined) {
    const productId = productOf(spec.productId, context);
    if (productId === undefined || ownValue(context.inStock, productId) !== true) return undefined;
    decision.productId = productId;
  }
  return decision;
}

function productOf(spec: string | Readonly<Record<string, unknown>>, context: unknown): string | undefined {
  if (typeof spec === 'string') return spec;
  const verdict = evaluate(spec, context);
  return verdict.ok && typeof verdict.value === 'string' && verdict.value.length > 0 ? verdict.value : undefined;
}

// Own properties only: a rule id or product id such as "constructor" must not read Object.prototype.
function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

function shownOf(shown: Readonly<Record<string, ShownRecord>>, ruleId: string): ShownRecord | undefined {
  return ownValue(shown, ruleId);
}
