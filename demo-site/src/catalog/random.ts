/** One of `items`, drawn with `random` (core's `seededRandom`, so every start builds the same catalog). */
export const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
