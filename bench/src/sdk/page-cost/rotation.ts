/**
 * The order of the loads: round after round, each install once, and each
 * round starting one install further on, so whatever drifts over the run
 * (another job on the machine, a warming disk cache) falls on every install
 * alike, and no install always follows the same one.
 */
export function rotation<T>(installs: readonly T[], rounds: number): T[] {
  if (!Number.isInteger(rounds) || rounds < 0) throw new RangeError(`rounds must be a whole number ≥ 0, got ${rounds}`);
  const order: T[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < installs.length; i++) order.push(installs[(round + i) % installs.length]!);
  }
  return order;
}
