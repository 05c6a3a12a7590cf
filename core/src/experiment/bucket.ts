/**
 * Deterministic bucketing: a unit id lands at the same point of [0, 1) for an
 * experiment every time, everywhere, with no state. The exact string hashed is
 *
 *     `${version}:${experimentKey}:${unitId}`   (UTF-8, MurmurHash3 x86_32, seed 0)
 *
 * and the bucket is that hash divided by 2³². Experiment keys cannot hold `:`
 * (see schema.ts) and the version is an integer, so the string splits one way
 * only. Bumping the version moves every unit to a fresh, independent point:
 * that is how an experiment is reshuffled on purpose. The hash and this string
 * are frozen: changing either would silently reshuffle every running
 * experiment, so a different scheme must come as a new, named function.
 */
import { murmur3_32 } from './murmur3.js';
import { utf8Bytes } from './utf8.js';

const TWO_TO_THE_32 = 4_294_967_296;

/** Where `unitId` falls in [0, 1) for version `version` of experiment `experimentKey`. */
export function bucketOf(experimentKey: string, version: number, unitId: string): number {
  return murmur3_32(utf8Bytes(`${version}:${experimentKey}:${unitId}`)) / TWO_TO_THE_32;
}

/**
 * The salts that give the holdout and traffic draws their own buckets, so that
 * who is held out, who is let in, and which variant they see are independent
 * draws: ramping traffic up never moves a unit between variants or in or out
 * of the holdout. `~` cannot appear in an experiment key, so a salted key is
 * never some other experiment's key.
 */
export const HOLDOUT_SALT = '~holdout';
export const TRAFFIC_SALT = '~traffic';
