/**
 * What the experiment counters' script (script.ts) touches for a call, as the
 * batch's checks need it declared (../../store/batch-checks.ts): its counts
 * and units hashes, and that every field of a counts hash is an integer with
 * room for the increments the call may make (which variant a conversion adds
 * to is read inside the script, so no single field can be named).
 *
 * ARGV, five per counted event: kind, counts key, units key, unit, variant.
 */
import type { ScriptTouch } from '../../store/batch-checks.js';

export function experimentScriptTouches(args: readonly string[]): ScriptTouch[] {
  const increments = new Map<string, number>();
  const units = new Set<string>();
  if (args.length % 5 !== 0) throw new Error('the experiment script takes five arguments per event');
  for (let i = 0; i < args.length; i += 5) {
    const kind = args[i];
    const counts = args[i + 1] as string;
    const unitsKey = args[i + 2] as string;
    // An exposure adds to exposures:<v> and perhaps units:<v>; a conversion to conversions:<its variant>.
    increments.set(counts, (increments.get(counts) ?? 0) + (kind === 'exposure' ? 2 : 1));
    units.add(unitsKey);
  }
  return [
    ...[...units].map((key): ScriptTouch => ({ key, type: 'hash' })),
    ...[...increments].map(([key, times]): ScriptTouch => ({ key, type: 'hash', incrementsAnyField: times })),
  ];
}
