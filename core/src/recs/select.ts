/**
 * The k-th largest of a set of scores, in linear time (quickselect): the scorer needs the cut for
 * its k neighbours and its n items, not every candidate in order, and a full sort of a few hundred
 * scores per call was a visible part of its cost.
 */

/** The k-th largest value (k = 1: the largest) of `values`, which it reorders. */
export function kthLargest(values: Float64Array, k: number): number {
  if (k < 1 || k > values.length) throw new RangeError(`kthLargest: k: expected 1 to ${values.length}, got ${k}`);
  // The k-th largest is the (length − k)-th smallest, counting from 0.
  const target = values.length - k;
  let low = 0;
  let high = values.length - 1;
  while (low < high) {
    const pivot = medianOfThree(values[low]!, values[(low + high) >>> 1]!, values[high]!);
    let i = low;
    let j = high;
    while (i <= j) {
      while (values[i]! < pivot) i += 1;
      while (values[j]! > pivot) j -= 1;
      if (i <= j) {
        const swap = values[i]!;
        values[i] = values[j]!;
        values[j] = swap;
        i += 1;
        j -= 1;
      }
    }
    if (target <= j) high = j;
    else if (target >= i) low = i;
    else return values[target]!;
  }
  return values[target]!;
}

function medianOfThree(a: number, b: number, c: number): number {
  return a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
}
