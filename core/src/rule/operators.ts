/**
 * The condition language: JSON Logic, cut down to the operators below. A rules
 * document using any other operator is refused when it is loaded, and the
 * engine that evaluates conditions knows only these, so a rule cannot reach
 * string building, `throw`, `try`, `preserve` or anything added to JSON Logic later.
 */

/** Reading the context: `{"var": "signals.productViews"}`, `{"var": ["profile.orders", 0]}`. */
const ACCESS = ['var'] as const;
/** Compare two values (the ordering ones also take three, `a < b < c`, as a range check). */
export const COMPARISONS = ['==', '!=', '===', '!==', '<', '<=', '>', '>='] as const;
const LOGIC = ['and', 'or', '!', '!!'] as const;
/** `in`: an item in an array, or a substring in a string. */
const MEMBERSHIP = ['in'] as const;
const ARITHMETIC = ['+', '-', '*', '/', 'max', 'min'] as const;
/** Over an array: `{"some": [{"var": "profile.tags"}, {"==": [{"var": ""}, "vip"]}]}`; inside, `var` reads the item. */
export const ITERATIONS = ['some', 'all', 'none'] as const;

export const ALLOWED_OPERATORS = [...ACCESS, ...COMPARISONS, ...LOGIC, ...MEMBERSHIP, ...ARITHMETIC, ...ITERATIONS] as const;
export type AllowedOperator = (typeof ALLOWED_OPERATORS)[number];

/** What a condition's `var` may read at the top level: the keys of the decision context. */
export const CONTEXT_ROOTS = ['signals', 'profile', 'page', 'variants', 'inStock'] as const;

const allowed: ReadonlySet<string> = new Set(ALLOWED_OPERATORS);

export function isAllowedOperator(name: string): name is AllowedOperator {
  return allowed.has(name);
}
