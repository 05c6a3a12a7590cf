/**
 * The prefix the session-kNN scorer continues: what the visitor viewed, oldest first, the product
 * on screen last.
 *
 * The open session's own views come first in weight. The profile's recently viewed products
 * that the open session has not viewed (views on the person's other devices or in earlier
 * sessions, since the profile belongs to the canonical id) go before them: they are older, so
 * core's prefix weighting (the last item weighs most) lets the open session dominate once it has
 * views, while a session with none yet is continued from what the person viewed elsewhere.
 */

export interface PrefixInput {
  /** The open session's views, in order. */
  readonly sessionItems: readonly string[];
  /** The profile's recently viewed products, most recent first. */
  readonly recentlyViewed: readonly string[];
  /** The product on screen. */
  readonly context?: string | undefined;
  /** How many profile items may precede the session's. */
  readonly profileItems: number;
  /** The longest prefix scored: items further back weigh next to nothing (e^(−2d) by default). */
  readonly maxLength: number;
}

export function recsPrefix(input: PrefixInput): string[] {
  const inSession = new Set(input.sessionItems);
  const fromProfile = input.recentlyViewed
    .filter((item) => !inSession.has(item) && item !== input.context)
    .slice(0, input.profileItems)
    .reverse();
  const prefix = [...fromProfile, ...input.sessionItems];
  // The page usually logged its product view already: the context then is the last item once, not twice.
  if (input.context !== undefined && prefix.at(-1) !== input.context) prefix.push(input.context);
  return prefix.slice(-input.maxLength);
}
