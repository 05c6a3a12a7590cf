/** The products the rules may offer by id: their stock is read ahead, so an offer can be made the moment its rule holds. */
import type { Rule } from '@sessionflow/core';

const cache = new WeakMap<readonly Rule[], string[]>();

export function offeredProductIds(rules: readonly Rule[]): string[] {
  let ids = cache.get(rules);
  if (ids === undefined) {
    ids = [...new Set(rules.flatMap((rule) => rule.actions.flatMap((action) => (action.kind === 'offer' && typeof action.productId === 'string' ? [action.productId] : []))))];
    cache.set(rules, ids);
  }
  return ids;
}
