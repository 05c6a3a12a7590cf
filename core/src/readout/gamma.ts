/**
 * The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a), which gives the
 * chi-square survival function. Method of Numerical Recipes (Press et al., 3rd ed., §6.2):
 * the power series for P = 1 − Q below x < a + 1, where it converges fast, and Legendre's
 * continued fraction, evaluated by the modified Lentz method, above it, where the series would
 * need many terms and Q is computed directly so that tiny p-values keep their precision.
 */

// Godfrey's Lanczos coefficients (g = 7, n = 9): about 15 significant digits for a ≥ 0.5.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

const EPSILON = 1e-15;
// Below this a Lentz denominator counts as zero and is nudged, as Numerical Recipes does.
const TINY = 1e-300;
const MAX_ITERATIONS = 10_000;

/** ln Γ(a) for a > 0. */
export function logGamma(a: number): number {
  if (!(a > 0)) throw new RangeError(`logGamma: a must be > 0, got ${a}`);
  // Reflection keeps the Lanczos sum in its accurate range.
  if (a < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * a)) - logGamma(1 - a);
  const x = a - 1;
  let sum = LANCZOS[0] ?? 0;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] ?? 0) / (x + i);
  const t = x + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** e^(−x) x^a / Γ(a): the factor both expansions share. */
function prefactor(a: number, x: number): number {
  return Math.exp(-x + a * Math.log(x) - logGamma(a));
}

function lowerBySeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
  }
  return sum * prefactor(a, x);
}

function upperByContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < EPSILON) break;
  }
  return h * prefactor(a, x);
}

/** Q(a, x) for a > 0, x ≥ 0; in [0, 1]. */
export function regularizedUpperGamma(a: number, x: number): number {
  if (!(a > 0)) throw new RangeError(`regularizedUpperGamma: a must be > 0, got ${a}`);
  if (!(x >= 0)) throw new RangeError(`regularizedUpperGamma: x must be ≥ 0, got ${x}`);
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  const q = x < a + 1 ? 1 - lowerBySeries(a, x) : upperByContinuedFraction(a, x);
  return Math.min(1, Math.max(0, q));
}
