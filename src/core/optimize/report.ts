/**
 * What a finished study tells the trader beyond its best trial: which trial to trust (the raw peak or
 * the centre of a stable plateau), and how likely the winner is to be overfit (deflated Sharpe ratio
 * given the number of trials; PBO when the trials' return series are available). The statistics
 * themselves are defined once, in core/metrics.
 */
import {
  deflatedSharpeRatio,
  probabilityOfBacktestOverfitting,
  type BacktestOverfittingResult,
} from '../metrics/overfitting.ts';
import { TRADING_PERIODS_PER_YEAR } from '../metrics/metrics.ts';
import { variance } from '../math/statistics.ts';
import { selectPlateauCentre, type PlateauChoice, type PlateauOptions } from './sensitivity.ts';
import type { Study, TrialRecord } from './study.ts';

export interface WinnerChoice {
  readonly trial: TrialRecord;
  /** Set when `preferPlateau` was asked for. */
  readonly plateau?: PlateauChoice;
}

/**
 * The study's winner among feasible trials: the best score, or with `preferPlateau` the trial whose
 * neighbourhood-smoothed score is best (falling back to the peak when no trial has enough neighbours).
 * Plateau selection needs a scalar score, so in 'pareto' mode it uses the first objective.
 */
export function selectWinner(
  study: Study,
  options: PlateauOptions & { readonly preferPlateau?: boolean } = {},
): WinnerChoice | undefined {
  const best = study.best();
  if (best === undefined) return undefined;
  if (options.preferPlateau !== true) return { trial: best };
  const feasible = study.feasibleTrials();
  const points = feasible.map((t) => ({ params: t.params, score: study.score(t) }));
  const plateau = selectPlateauCentre(study.config.space, points, options)!;
  return { trial: feasible[plateau.index]!, plateau };
}

export interface OverfittingOptions {
  /** The trial metric holding the annualized Sharpe ratio; 'sharpeRatio' by default. */
  readonly sharpeMetric?: string;
  readonly periodsPerYear?: number;
  /**
   * Per-period returns of the study's trials for PBO: row-major, one row per period, one column per
   * trial. Without it PBO is not computed (the study's records keep metrics, not return series).
   */
  readonly returns?: {
    readonly matrix: Float64Array;
    readonly rows: number;
    readonly cols: number;
    readonly partitions?: number;
  };
  /** The trial to judge; the study's best by default. */
  readonly winner?: TrialRecord;
}

/** CSCV blocks (S) at most; fewer when the series is short, so each block keeps MIN_BLOCK_ROWS periods. */
export const PBO_PARTITIONS = 16;
const MIN_BLOCK_ROWS = 2;

/** The even number of CSCV blocks for `rows` periods: up to PBO_PARTITIONS, each of MIN_BLOCK_ROWS or more. */
export function pboPartitionsFor(rows: number): number {
  let s = Math.min(PBO_PARTITIONS, Math.floor(rows / MIN_BLOCK_ROWS));
  if (s % 2 === 1) s--;
  return s;
}

/**
 * The PBO input from the trials' per-period returns (one series per trial; null when it failed): series
 * with a non-finite return are left out, the rest aligned on their last `rows` periods (the shortest
 * length) into a row-major matrix. Without at least two series or two blocks, the reason instead.
 */
export function pboReturns(
  series: readonly (Float64Array | null)[],
): { readonly returns: NonNullable<OverfittingOptions['returns']> } | { readonly note: string } {
  const columns = series.filter((s): s is Float64Array => s !== null && s.every(Number.isFinite));
  if (columns.length < 2) return { note: 'PBO: fewer than 2 trials have a finite return series' };
  const rows = Math.min(...columns.map((c) => c.length));
  const partitions = pboPartitionsFor(rows);
  if (partitions < 2) return { note: `PBO: ${rows} periods are too few to split into blocks` };
  const cols = columns.length;
  const matrix = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    const column = columns[j]!;
    const offset = column.length - rows;
    for (let r = 0; r < rows; r++) matrix[r * cols + j] = column[offset + r]!;
  }
  return { returns: { matrix, rows, cols, partitions } };
}

export interface StudyOverfitting {
  /** Complete trials with a finite Sharpe ratio: the number of trials the winner was selected from. */
  readonly trials: number;
  /** Sample variance of those trials' annualized Sharpe ratios. */
  readonly sharpeVariance: number;
  /** Probability the winner's true Sharpe ratio is above what the best of that many lucky trials would show; NaN when metrics are missing. */
  readonly deflatedSharpe: number;
  readonly pbo: BacktestOverfittingResult | null;
}

export function studyOverfitting(study: Study, options: OverfittingOptions = {}): StudyOverfitting {
  const key = options.sharpeMetric ?? 'sharpeRatio';
  const sharpes = study.trials
    .filter((t) => t.status === 'complete')
    .map((t) => t.metrics?.[key])
    .filter((s): s is number => s !== undefined && Number.isFinite(s));
  const n = sharpes.length;
  const sharpeVariance = variance(sharpes);
  const winner = options.winner ?? study.best();
  const m = winner?.metrics;
  const deflatedSharpe =
    m === undefined || m[key] === undefined || m['numPeriods'] === undefined
      ? NaN
      : deflatedSharpeRatio({
          sharpe: m[key],
          trials: n,
          sharpeVariance,
          n: m['numPeriods'],
          skew: m['skewness'] ?? 0,
          kurtosis: m['kurtosis'] ?? 3,
          periodsPerYear: options.periodsPerYear ?? TRADING_PERIODS_PER_YEAR,
        });
  const r = options.returns;
  const pbo =
    r === undefined ? null : probabilityOfBacktestOverfitting(r.matrix, r.rows, r.cols, r.partitions);
  return { trials: n, sharpeVariance, deflatedSharpe, pbo };
}
