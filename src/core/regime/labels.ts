/**
 * The regime vocabulary: three axes, three labels each, and the columns a detector writes per bar.
 * Labels are small integer codes (an index into the axis's label names) so a whole series fits in one
 * Int8Array; -1 marks a bar inside the detector's warm-up (null in JSON).
 */

export const REGIME_AXES = ['trend', 'volatility', 'volume'] as const;
export type RegimeAxis = (typeof REGIME_AXES)[number];

export const TREND_LABELS = ['bull', 'bear', 'sideways'] as const;
export const LEVEL_LABELS = ['low', 'normal', 'high'] as const;
export type TrendLabel = (typeof TREND_LABELS)[number];
export type LevelLabel = (typeof LEVEL_LABELS)[number];

/** Label names of each axis, in code order (code k is names[k]). */
export const AXIS_LABELS: Readonly<Record<RegimeAxis, readonly string[]>> = {
  trend: TREND_LABELS,
  volatility: LEVEL_LABELS,
  volume: LEVEL_LABELS,
};

export const Trend = { Bull: 0, Bear: 1, Sideways: 2 } as const;
export const Level = { Low: 0, Normal: 1, High: 2 } as const;
/** Code of a bar inside the warm-up. */
export const NO_LABEL = -1;
export const LABEL_COUNT = 3;

/** One axis of a detector's output over n bars, as columns. */
export interface RegimeAxisOutput {
  /** Label code per bar; NO_LABEL during warm-up. */
  readonly label: Int8Array;
  /** Probability of each label (one column per label, in code order); NaN during warm-up. */
  readonly probability: readonly [Float64Array, Float64Array, Float64Array];
  /** The raw inputs that decided the label, one column per name in the detector's `inputs[axis]`. */
  readonly inputs: readonly Float64Array[];
}

export type RegimeOutput = Readonly<Record<RegimeAxis, RegimeAxisOutput>>;

/** Input names per axis, as a detector declares them. */
export type RegimeInputNames = Readonly<Record<RegimeAxis, readonly string[]>>;

/** Output columns for n bars (a caller reuses them across runs; detectors never allocate them). */
export function allocateRegimeOutput(inputs: RegimeInputNames, n: number): RegimeOutput {
  const axis = (names: readonly string[]): RegimeAxisOutput => ({
    label: new Int8Array(n),
    probability: [new Float64Array(n), new Float64Array(n), new Float64Array(n)],
    inputs: names.map(() => new Float64Array(n)),
  });
  return { trend: axis(inputs.trend), volatility: axis(inputs.volatility), volume: axis(inputs.volume) };
}

/** Checks that `out` has room for n bars and the detector's inputs; names what is missing. */
export function checkRegimeOutput(
  detector: string,
  inputs: RegimeInputNames,
  out: RegimeOutput,
  n: number,
): void {
  for (const axis of REGIME_AXES) {
    const a = out[axis];
    const short = [a.label, ...a.probability, ...a.inputs].some((column) => column.length < n);
    if (short) throw new RangeError(`${detector}: output columns of ${axis} are shorter than the ${n} bars`);
    if (a.inputs.length !== inputs[axis].length) {
      throw new RangeError(
        `${detector}: ${axis} needs ${inputs[axis].length} input columns (${inputs[axis].join(', ')}), got ${a.inputs.length}`,
      );
    }
  }
}
