/**
 * Scoring one parameter set on several timeframes at once (1m, 5m and 15m bars of the same market):
 * the per-timeframe metrics are combined into one set the study optimises, by the worst value (robust:
 * a parameter set must work everywhere), the mean, or a weighted mean. The per-timeframe metrics are
 * kept alongside, flattened as `metric@timeframe`, so a trial record shows where a score came from.
 */
import type { Objective } from './objectives.ts';

export type TimeframeAggregation = 'worst' | 'mean' | 'weighted';
export type MetricSet = Readonly<Record<string, number>>;

export interface MultiTimeframeOptions {
  readonly aggregation: TimeframeAggregation;
  /** The study's objectives: 'worst' needs each metric's direction. */
  readonly objectives: readonly Objective[];
  /** Weights per timeframe for 'weighted' (need not sum to 1). */
  readonly weights?: Readonly<Record<string, number>>;
  /** Trade-count metric: under 'worst' it takes the minimum, so the minimum trade count holds on every timeframe. */
  readonly tradeCountMetric?: string;
}

export interface MultiTimeframeScore {
  /** Combined metrics (what the study's objectives read). */
  readonly metrics: MetricSet;
  readonly perTimeframe: Readonly<Record<string, MetricSet>>;
}

/**
 * Combines per-timeframe metrics. Under 'worst', objective metrics take the worst value in their
 * direction (NaN counts as worst) and the trade count its minimum; other metrics take the mean.
 * Only metrics present on every timeframe are combined.
 */
export function aggregateTimeframes(
  perTimeframe: Readonly<Record<string, MetricSet>>,
  options: MultiTimeframeOptions,
): MultiTimeframeScore {
  const timeframes = Object.keys(perTimeframe);
  if (timeframes.length === 0) throw new Error('multi-timeframe: no timeframe results to combine');
  let weights: number[] = timeframes.map(() => 1);
  if (options.aggregation === 'weighted') {
    const given = options.weights ?? {};
    weights = timeframes.map((tf) => {
      const w = given[tf];
      if (w === undefined)
        throw new Error(
          `multi-timeframe: no weight for timeframe "${tf}" (have: ${Object.keys(given).join(', ')})`,
        );
      if (!(w >= 0) || !Number.isFinite(w))
        throw new Error(`multi-timeframe: weight of "${tf}" must be >= 0 (got ${w})`);
      return w;
    });
    if (weights.every((w) => w === 0)) throw new Error('multi-timeframe: all weights are zero');
  }
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const keys = Object.keys(perTimeframe[timeframes[0]!]!).filter((k) =>
    timeframes.every((tf) => k in perTimeframe[tf]!),
  );
  const objectiveOf = new Map(options.objectives.map((o) => [o.metric, o]));
  const tradeKey = options.tradeCountMetric ?? 'numTrades';
  const metrics: Record<string, number> = {};
  for (const key of keys) {
    const values = timeframes.map((tf) => perTimeframe[tf]![key]!);
    const objective = objectiveOf.get(key);
    if (options.aggregation === 'worst' && (objective !== undefined || key === tradeKey)) {
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
  return { metrics, perTimeframe };
}

/** The combined metrics plus every per-timeframe metric as `metric@timeframe`, for a trial record. */
export function flattenTimeframeMetrics(score: MultiTimeframeScore): Record<string, number> {
  const out: Record<string, number> = { ...score.metrics };
  for (const [tf, metrics] of Object.entries(score.perTimeframe)) {
    for (const [key, value] of Object.entries(metrics)) out[`${key}@${tf}`] = value;
  }
  return out;
}
