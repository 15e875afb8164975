/**
 * Objectives: which metrics a study optimises and in which direction, and how several are combined
 * (alone, a weighted score, or a Pareto front). Samplers never see directions: the study hands them
 * "losses", every objective turned into a number where lower is better.
 */
import { metricDefinition, type Direction } from '../metrics/definitions.ts';

export type { Direction };

export interface Objective {
  /** Any key of the metrics a trial reports (e.g. `sharpeRatio`, `finalEquity`). */
  readonly metric: string;
  readonly direction: Direction;
  /** Used by the weighted score only; defaults to 1. */
  readonly weight?: number;
  /**
   * Compare the metric's magnitude. Set for drawdown: metrics reports maxDrawdown as a negative
   * fraction (-0.2), and "minimise max drawdown" means the shallowest, i.e. the smallest |value|.
   */
  readonly absolute?: boolean;
}

/** How several objectives decide which trial is better. */
export type ObjectiveMode = 'single' | 'weighted' | 'pareto';

/**
 * An objective on `metric` in its natural sense, read from the metric catalogue; a metric the catalogue
 * does not describe (a learner's score, a test function's value) is maximised.
 */
export function naturalObjective(metric: string): Objective {
  const definition = metricDefinition(metric);
  if (definition === undefined) return { metric, direction: 'maximize' };
  return definition.magnitude === true
    ? { metric, direction: definition.direction, absolute: true }
    : { metric, direction: definition.direction };
}

/**
 * Parses the CLI's `--objective` form: `metric`, `metric:max|min`, `metric:max|min:weight`. Without a
 * direction, a metric takes its natural one (naturalObjective).
 */
export function parseObjective(text: string): Objective {
  const parts = text.split(':').map((s) => s.trim());
  const metric = parts[0] ?? '';
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(metric))
    throw new Error(`objective "${text}": metric name "${metric}" is invalid`);
  if (parts.length > 3) throw new Error(`objective "${text}": expected metric[:max|min[:weight]]`);
  const natural = naturalObjective(metric);
  let direction: Direction = natural.direction;
  const dir = parts[1]?.toLowerCase();
  if (dir !== undefined && dir !== '') {
    if (dir === 'max' || dir === 'maximize') direction = 'maximize';
    else if (dir === 'min' || dir === 'minimize') direction = 'minimize';
    else throw new Error(`objective "${text}": direction "${parts[1]}" must be max or min`);
  }
  const absolute = natural.absolute === true ? { absolute: true } : {};
  if (parts[2] === undefined) return { metric, direction, ...absolute };
  const weight = Number(parts[2]);
  if (parts[2] === '' || !Number.isFinite(weight))
    throw new Error(`objective "${text}": weight "${parts[2]}" is not a number`);
  return { metric, direction, weight, ...absolute };
}

const SLICE_FINAL_EQUITY = 'finalEquity@';

/**
 * The slices (a symbol, a timeframe, or `SYMBOL:timeframe`) on which a trial of several slices wiped out
 * its account, from its `finalEquity@slice` metrics; empty for a trial of one slice. The combined
 * finalEquity is a mean across slices, so a symbol at 0 beside one that gained reads above 0.
 */
export function wipedOutSlices(metrics: Readonly<Record<string, number | null>>): string[] {
  const slices: string[] = [];
  for (const key in metrics) {
    const value = metrics[key];
    if (key.startsWith(SLICE_FINAL_EQUITY) && value !== undefined && value !== null && value <= 0)
      slices.push(key.slice(SLICE_FINAL_EQUITY.length));
  }
  return slices;
}

/**
 * Whether a trial's account was wiped out: its final equity at or below 0 (the engine stops a run there,
 * at 0), on its one slice or on any of several (a study of several symbols scores the worst of them).
 */
export function isWipedOut(metrics: Readonly<Record<string, number | null>>): boolean {
  const finalEquity = metrics['finalEquity'];
  if (finalEquity !== undefined && finalEquity !== null && finalEquity <= 0) return true;
  return wipedOutSlices(metrics).length > 0;
}

/**
 * The objective values of a trial (magnitudes for `absolute` objectives), in objective order; names a
 * missing metric. A trial whose account was wiped out (isWipedOut) has no value on any objective, so it
 * ranks last on each, samplers included: its Sharpe over the returns before the wipe-out can still read
 * above 0 (NVDA's 112/221: +0.075, the days near 0 gaining much on a tiny base).
 */
export function objectiveValues(
  objectives: readonly Objective[],
  metrics: Readonly<Record<string, number>>,
): number[] {
  const wipedOut = isWipedOut(metrics);
  return objectives.map((o) => {
    const value = metrics[o.metric];
    if (value === undefined) {
      throw new Error(
        `objective metric "${o.metric}" is missing from the trial's metrics (have: ${Object.keys(metrics).join(', ')})`,
      );
    }
    if (wipedOut) return NaN;
    return o.absolute === true ? Math.abs(value) : value;
  });
}

/**
 * Lower-is-better form of objective values. A NaN value (e.g. Sharpe of a flat equity curve) becomes
 * +Infinity: the worst possible, so it can never win but still orders consistently.
 */
export function toLosses(objectives: readonly Objective[], values: readonly number[]): number[] {
  return objectives.map((o, i) => {
    const v = values[i]!;
    if (Number.isNaN(v)) return Infinity;
    return o.direction === 'maximize' ? -v : v;
  });
}

/** Higher-is-better weighted sum of the objectives (raw values, so weights also set the scale). */
export function weightedScore(objectives: readonly Objective[], values: readonly number[]): number {
  let score = 0;
  for (let i = 0; i < objectives.length; i++) {
    const o = objectives[i]!;
    const v = values[i]!;
    if (Number.isNaN(v)) return -Infinity;
    score += (o.weight ?? 1) * (o.direction === 'maximize' ? v : -v);
  }
  return score;
}

/**
 * Higher-is-better scalar score of objective values: the weighted sum in 'weighted' mode, else the first
 * objective signed by its direction (NaN scores -Infinity, so it never wins). A study's trials and a set
 * scored outside the study (the analysis's neighbours) are ranked by this one rule.
 */
export function scalarScore(
  objectives: readonly Objective[],
  mode: ObjectiveMode,
  values: readonly number[],
): number {
  if (mode === 'weighted') return weightedScore(objectives, values);
  const v = values[0]!;
  if (Number.isNaN(v)) return -Infinity;
  return objectives[0]!.direction === 'maximize' ? v : -v;
}

/** Chooses the mode when none is given: one objective is 'single', several default to 'pareto'. */
export function defaultMode(objectives: readonly Objective[]): ObjectiveMode {
  return objectives.length === 1 ? 'single' : 'pareto';
}
