/**
 * The optimizer's vocabulary as plain data, without the schemas, so the renderer and the CLI can offer
 * the choices without bundling zod. optimizeContract.ts builds its enums and bounds from these, and
 * optimizeChoices.test.ts checks each list against core's type both ways (nothing missing, nothing extra).
 */
import type { MetricKey } from '../core/metrics/metrics.ts';

/** The samplers a study can use, in the order forms offer them. */
export const SAMPLER_KINDS = ['grid', 'random', 'tpe', 'ga', 'nsga2'] as const;

/** How several objectives decide which trial is better. */
export const OBJECTIVE_MODES = ['single', 'weighted', 'pareto'] as const;

export const DIRECTIONS = ['maximize', 'minimize'] as const;

/** Most characters a study's name and note keep (a name is a list line, a note a paragraph or two). */
export const STUDY_NAME_MAX = 120;
export const STUDY_NOTE_MAX = 2_000;

/** How per-slice metrics are combined when a study scores several symbols or timeframes. */
export const SLICE_AGGREGATIONS = ['worst', 'mean', 'weighted'] as const;

/** Symbols one study scores together at most (each one is a backtest per trial and timeframe). */
export const MAX_STUDY_SYMBOLS = 16;

/**
 * The product's objectives, the ones the study form offers. Each goes its metric's natural direction,
 * which the metric catalogue (core/metrics/definitions.ts) holds; this list holds names only.
 */
export const PRODUCT_OBJECTIVE_METRICS = [
  'sharpeRatio',
  'totalReturn',
  'winRate',
  'calmarRatio',
  'maxDrawdown',
  'volatility',
] as const satisfies readonly MetricKey[];

/** The most trials one `optimize:get` answers with: a study's trials are read a page at a time. */
export const TRIALS_PAGE_LIMIT = 5_000;

/** The most trials a study (or a walk-forward train window) may ask for. */
export const MAX_TRIALS = 1_000_000;

export type SamplerKindChoice = (typeof SAMPLER_KINDS)[number];
export type ObjectiveModeChoice = (typeof OBJECTIVE_MODES)[number];
export type DirectionChoice = (typeof DIRECTIONS)[number];
export type ProductObjectiveMetric = (typeof PRODUCT_OBJECTIVE_METRICS)[number];
