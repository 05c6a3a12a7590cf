import { rateDifferenceInterval } from './difference.js';
import { rateOf, type ConfidenceInterval } from './interval.js';
import { twoSidedZ } from './normal.js';
import { relativeLiftInterval } from './relative.js';
import { alwaysValidDifferenceInterval, DEFAULT_SEQUENTIAL_TUNING } from './sequential.js';
import { DEFAULT_SRM_ALPHA, sampleRatioMismatch, type SampleRatioCheck } from './srm.js';
import { wilsonInterval } from './wilson.js';

/** The counters the pipeline keeps per variant, with the variant's intended weight. */
export interface VariantCounters {
  name: string;
  /** Relative, as in the experiment's configuration: 1 and 3 mean 25 % / 75 %. */
  weight: number;
  /** Exposure events, repeats by one unit included. */
  exposures: number;
  /** Distinct units (visitors) exposed: the denominator of the conversion rate. */
  exposedUnits: number;
  /** Distinct exposed units that converted. */
  conversions: number;
}

export interface ReadoutInput {
  variants: readonly VariantCounters[];
  /** The name of the variant the others are compared with. */
  control: string;
  /** Of every interval; default 0.95. */
  confidence?: number;
  /** Units (treatment + control) at which the always-valid interval is narrowest; default 5000. */
  sequentialTuning?: number;
  /** p-value below which the sample ratio counts as mismatched; default 0.001. */
  srmAlpha?: number;
}

export interface Lift {
  /** Treatment rate − control rate; null when either has no exposed units. */
  absolute: number | null;
  /** Fixed-horizon (Newcombe) interval of `absolute`: valid for one look at a planned sample size. */
  absoluteInterval: ConfidenceInterval | null;
  /** Treatment rate / control rate − 1; null when the control's rate is 0 or unknown. */
  relative: number | null;
  /** Fixed-horizon (Katz log) interval of `relative`; null also when the treatment has no conversions. */
  relativeInterval: ConfidenceInterval | null;
  /** Always-valid (mSPRT) interval of `absolute`: valid however often it is looked at. */
  sequentialInterval: ConfidenceInterval | null;
}

export interface VariantReadout {
  name: string;
  control: boolean;
  weight: number;
  exposures: number;
  exposedUnits: number;
  conversions: number;
  /** conversions / exposedUnits; null without exposed units. */
  conversionRate: number | null;
  /** Wilson interval of the rate. */
  conversionRateInterval: ConfidenceInterval | null;
  /** Null for the control. */
  lift: Lift | null;
}

export interface Readout {
  control: string;
  confidence: number;
  variants: VariantReadout[];
  /** Null with a single variant or no units yet. */
  sampleRatio: SampleRatioCheck | null;
}

function requireCount(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`readout: ${field} must be a non-negative integer, got ${value}`);
}

function checkInput(input: ReadoutInput, confidence: number, tuning: number, srmAlpha: number): void {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`readout: confidence must be between 0 and 1, got ${confidence}`);
  if (!(tuning > 0 && Number.isFinite(tuning))) throw new RangeError(`readout: sequentialTuning must be a positive number, got ${tuning}`);
  if (!(srmAlpha > 0 && srmAlpha < 1)) throw new RangeError(`readout: srmAlpha must be between 0 and 1, got ${srmAlpha}`);
  const names = new Set<string>();
  input.variants.forEach((v, i) => {
    if (names.has(v.name)) throw new RangeError(`readout: variants.${i}.name repeats "${v.name}"`);
    names.add(v.name);
    if (!(v.weight > 0 && Number.isFinite(v.weight))) throw new RangeError(`readout: variants.${i}.weight must be a positive number, got ${v.weight}`);
    requireCount(v.exposures, `variants.${i}.exposures`);
    requireCount(v.exposedUnits, `variants.${i}.exposedUnits`);
    requireCount(v.conversions, `variants.${i}.conversions`);
    if (v.exposedUnits > v.exposures) throw new RangeError(`readout: variants.${i}.exposedUnits exceeds its exposures`);
    if (v.conversions > v.exposedUnits) throw new RangeError(`readout: variants.${i}.conversions exceeds its exposedUnits`);
  });
  if (!names.has(input.control)) throw new RangeError(`readout: control "${input.control}" is not one of the variants`);
}

/**
 * The live readout of one experiment from the pipeline's counters: per variant its conversion
 * rate, and against the control its absolute and relative lift with fixed-horizon intervals and
 * an always-valid interval of the absolute lift, plus the sample-ratio-mismatch check.
 * Pure; throws a RangeError naming the field when the counters are impossible (a bug upstream).
 */
export function readout(input: ReadoutInput): Readout {
  const confidence = input.confidence ?? 0.95;
  const tuning = input.sequentialTuning ?? DEFAULT_SEQUENTIAL_TUNING;
  const srmAlpha = input.srmAlpha ?? DEFAULT_SRM_ALPHA;
  checkInput(input, confidence, tuning, srmAlpha);
  const z = twoSidedZ(confidence);
  const alpha = 1 - confidence;
  const control = input.variants.find((v) => v.name === input.control) as VariantCounters;
  const controlRate = rateOf(control);

  const variants = input.variants.map((v): VariantReadout => {
    const rate = rateOf(v);
    const isControl = v.name === input.control;
    return {
      name: v.name,
      control: isControl,
      weight: v.weight,
      exposures: v.exposures,
      exposedUnits: v.exposedUnits,
      conversions: v.conversions,
      conversionRate: rate,
      conversionRateInterval: wilsonInterval(v, z),
      lift: isControl
        ? null
        : {
            absolute: rate !== null && controlRate !== null ? rate - controlRate : null,
            absoluteInterval: rateDifferenceInterval(v, control, z),
            relative: rate !== null && controlRate !== null && controlRate > 0 ? rate / controlRate - 1 : null,
            relativeInterval: relativeLiftInterval(v, control, z),
            sequentialInterval: alwaysValidDifferenceInterval(v, control, alpha, tuning),
          },
    };
  });

  return {
    control: input.control,
    confidence,
    variants,
    sampleRatio: sampleRatioMismatch(
      input.variants.map((v) => v.exposedUnits),
      input.variants.map((v) => v.weight),
      srmAlpha,
    ),
  };
}
