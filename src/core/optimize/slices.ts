/**
 * Scoring one parameter set on several slices of data at once: several timeframes of one market (1m, 5m
 * and 15m bars), several symbols (GOOG, ORCL, NVDA), or every symbol at every timeframe. The per-slice
 * metrics are combined into one set the study optimises, by the worst value (robust: a parameter set
 * must work everywhere), the mean, or a weighted mean. The per-slice metrics are kept alongside,
 * flattened as `metric@slice`, so a trial record shows where a score came from.
 */
import type { Objective } from './objectives.ts';

export type SliceAggregation = 'worst' | 'mean' | 'weighted';
export type MetricSet = Readonly<Record<string, number>>;

/** One slice of a study's data: a symbol at a timeframe. */
export interface DataSlice {
  readonly symbol: string;
  readonly timeframe: string;
}

/**
 * The key a slice's metrics are kept under (`metric@key`): the timeframe alone when the study has one
 * symbol (as multi-timeframe studies always stored them), the symbol alone when it has one timeframe,
 * else `SYMBOL:timeframe` (neither a symbol nor a timeframe holds ':' or '@').
 */
export function sliceLabel(slice: DataSlice, symbols: number, timeframes: number): string {
  if (symbols <= 1) return slice.timeframe;
  if (timeframes <= 1) return slice.symbol;
  return `${slice.symbol}:${slice.timeframe}`;
}

/**
 * Each slice's weight for 'weighted': its symbol's weight times its timeframe's. A dimension with one
 * member, or without weights, weighs 1; a member missing from weights that are given is an error.
 */
export function sliceWeights(
  slices: readonly DataSlice[],
  symbolWeights: Readonly<Record<string, number>> | undefined,
  timeframeWeights: Readonly<Record<string, number>> | undefined,
): number[] {
  const symbols = new Set(slices.map((s) => s.symbol)).size;
  const timeframes = new Set(slices.map((s) => s.timeframe)).size;
  const weightOf = (
    given: Readonly<Record<string, number>> | undefined,
    members: number,
    key: string,
    what: string,
  ): number => {
    if (members <= 1 || given === undefined) return 1;
    const w = given[key];
    if (w === undefined)
      throw new Error(`slices: no weight for ${what} "${key}" (have: ${Object.keys(given).join(', ')})`);
    return w;
  };
  return slices.map(
    (s) =>
      weightOf(symbolWeights, symbols, s.symbol, 'symbol') *
      weightOf(timeframeWeights, timeframes, s.timeframe, 'timeframe'),
  );
}

export interface SliceAggregationOptions {
  readonly aggregation: SliceAggregation;
  /** The study's objectives: 'worst' needs each metric's direction. */
  readonly objectives: readonly Objective[];
  /** Weights per slice key for 'weighted' (need not sum to 1). */
  readonly weights?: Readonly<Record<string, number>>;
  /** Trade-count metric: under 'worst' it takes the minimum, so the minimum trade count holds on every slice. */
  readonly tradeCountMetric?: string;
}

export interface SliceScore {
  /** Combined metrics (what the study's objectives read). */
  readonly metrics: MetricSet;
  readonly perSlice: Readonly<Record<string, MetricSet>>;
}

/** How {@link aggregateSlices} combines one metric across the slices. */
export type SliceCombination = 'worst' | 'mean' | 'weighted mean';

/**
 * The combination {@link aggregateSlices} gives `metric`: under 'worst' only the objectives (and the
 * trade count, its fewest) take the worst slice, every other metric the mean; so a table of the combined
 * figures can say which each one is.
 */
export function sliceCombination(
  metric: string,
  options: Pick<SliceAggregationOptions, 'aggregation' | 'objectives' | 'tradeCountMetric'>,
): SliceCombination {
  if (options.aggregation === 'weighted') return 'weighted mean';
  if (options.aggregation === 'mean') return 'mean';
  const worst =
    metric === (options.tradeCountMetric ?? 'numTrades') ||
    options.objectives.some((o) => o.metric === metric);
  return worst ? 'worst' : 'mean';
}

/**
 * Combines per-slice metrics. Under 'worst', objective metrics take the worst value in their
 * direction (NaN counts as worst) and the trade count its minimum; other metrics take the mean.
 * Only metrics present on every slice are combined.
 */
export function aggregateSlices(
  perSlice: Readonly<Record<string, MetricSet>>,
  options: SliceAggregationOptions,
): SliceScore {
  const slices = Object.keys(perSlice);
  if (slices.length === 0) throw new Error('slices: no slice results to combine');
  let weights: number[] = slices.map(() => 1);
  if (options.aggregation === 'weighted') {
    const given = options.weights ?? {};
    weights = slices.map((key) => {
      const w = given[key];
      if (w === undefined)
        throw new Error(`slices: no weight for slice "${key}" (have: ${Object.keys(given).join(', ')})`);
      if (!(w >= 0) || !Number.isFinite(w))
        throw new Error(`slices: weight of "${key}" must be >= 0 (got ${w})`);
      return w;
    });
    if (weights.every((w) => w === 0)) throw new Error('slices: all weights are zero');
  }
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const keys = Object.keys(perSlice[slices[0]!]!).filter((k) => slices.every((s) => k in perSlice[s]!));
  const objectiveOf = new Map(options.objectives.map((o) => [o.metric, o]));
  const metrics: Record<string, number> = {};
  for (const key of keys) {
    const values = slices.map((s) => perSlice[s]![key]!);
    const objective = objectiveOf.get(key);
    if (sliceCombination(key, options) === 'worst') {
      if (values.some(Number.isNaN)) {
        metrics[key] = NaN;
        continue;
      }
      const maximize = objective === undefined || objective.direction === 'maximize';
      const magnitude = objective?.absolute === true;
      // For a magnitude objective the worst is the largest |value| when minimised; return that value itself.
      let worst = values[0]!;
      for (const v of values) {
        const a = magnitude ? Math.abs(v) : v;
        const b = magnitude ? Math.abs(worst) : worst;
        if (maximize ? a < b : a > b) worst = v;
      }
      metrics[key] = worst;
    } else {
      let sum = 0;
      for (let i = 0; i < values.length; i++) sum += weights[i]! * values[i]!;
      metrics[key] = sum / totalWeight;
    }
  }
  return { metrics, perSlice };
}

/** The combined metrics plus every per-slice metric as `metric@slice`, for a trial record. */
export function flattenSliceMetrics(score: SliceScore): Record<string, number> {
  const out: Record<string, number> = { ...score.metrics };
  for (const [slice, metrics] of Object.entries(score.perSlice)) {
    for (const [key, value] of Object.entries(metrics)) out[`${key}@${slice}`] = value;
  }
  return out;
}

/** A trial's metrics on each slice, read back from its flattened record (`metric@slice` keys). */
export function perSliceMetrics(
  metrics: Readonly<Record<string, number | null>>,
  slices: readonly string[],
): Record<string, Record<string, number | null>> {
  const out: Record<string, Record<string, number | null>> = Object.fromEntries(slices.map((s) => [s, {}]));
  for (const [key, value] of Object.entries(metrics)) {
    const at = key.indexOf('@');
    if (at < 0) continue;
    const slice = out[key.slice(at + 1)];
    if (slice !== undefined) slice[key.slice(0, at)] = value;
  }
  return out;
}
