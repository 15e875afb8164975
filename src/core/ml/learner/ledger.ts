import { TIMEFRAMES, type Bars, type Timeframe } from '../../data/bars.ts';
import { inferTimeframe } from '../../data/timeframe.ts';
import type { Metrics } from '../../metrics/metrics.ts';
import { strategySpace, type Params, type SearchSpace } from '../../optimize/space.ts';
import { getStrategy } from '../../strategy/index.ts';
import {
  allocateRegimeOutput,
  AXIS_LABELS,
  NO_LABEL,
  type RegimeInputNames,
  type RegimeOutput,
} from '../../regime/labels.ts';
import { RuleDetector } from '../../regime/rules.ts';
import type { Features } from '../base.ts';
import { marketContextFeatures, parameterFeatures, pastPerformanceFeatures } from '../features.ts';

/**
 * The results ledger's vocabulary: one entry per finished trial and per walk-forward window half (train
 * and test), with the features the learner reads and the outcomes it learns. Only test windows carry a
 * `score`: the out-of-sample Sharpe ratio of a set in a window it was not chosen on, which is what the
 * learner predicts. Trials and train windows are in-sample evidence, kept for analysis and backfill.
 */
export type LedgerKind = 'trial' | 'window-train' | 'window-test';

export interface LedgerEntry {
  readonly kind: LedgerKind;
  /** Study id (trials) or walk-forward run id (windows). */
  readonly sourceId: string;
  /** Trial number or window index. */
  readonly item: number;
  readonly symbol: string;
  readonly timeframe: string;
  readonly strategy: string;
  /** The bar times the outcome was measured over, epoch ms (null: a study's whole range). */
  readonly startTime: number | null;
  readonly endTime: number | null;
  readonly params: Params;
  readonly features: Features;
  /** Metric name -> value (null where not finite). */
  readonly outcomes: Readonly<Record<string, number | null>>;
  /** The learner's target; null when the row teaches it nothing. */
  readonly score: number | null;
  /** The regime the measured range started in ("trend/volatility"), the learner's stratum. */
  readonly regime: string | null;
  /**
   * The session intraday bars kept to (see ledgerSession): regular-hours and extended-hours windows are
   * other populations. Null for day bars, for a run that named none (a file), and for rows recorded
   * before the ledger kept it (unknown).
   */
  readonly session: Session | null;
  readonly recordedAt: number;
}

export type Session = 'regular' | 'extended';

/**
 * The session a ledger row of bars at `timeframe` ('1m', a study's '1m+1h', 'native') is filed under:
 * the one named where some bars are intraday, else null (a day bar is the session's whatever the rule,
 * and a file's bars are read as they are). Rows are written and the reference population is read
 * through it, so both sides agree.
 */
export function ledgerSession(timeframe: string, session: Session | undefined): Session | null {
  const intraday = timeframe
    .split('+')
    .some((tf) => tf !== '1d' && (TIMEFRAMES as readonly string[]).includes(tf));
  return intraday && session !== undefined ? session : null;
}

/** The metric the learner predicts, as the optimizer and the contract name it. */
export const LEDGER_SCORE_METRIC = 'sharpeRatio';

/**
 * The space a strategy's parameters are scaled by: the strategy's own declared ranges, not a run's search
 * space, so results of runs that searched different ranges (and a backfill, which has no space) describe
 * the same θ by the same numbers.
 */
export function learnerSpace(strategy: string): SearchSpace {
  return strategySpace(getStrategy(strategy));
}

/**
 * θ as features: numeric parameters scaled to [0, 1] by the space's range, booleans 0/1, a categorical
 * parameter as one indicator per choice (`param.name=value`).
 */
export function spaceFeatures(params: Params, space: SearchSpace): Features {
  const ranges = [];
  const out: Record<string, number> = {};
  for (const spec of space.params) {
    const value = params[spec.name];
    if (spec.kind === 'categorical') {
      for (const choice of spec.choices)
        out[`param.${spec.name}=${String(choice)}`] = value === choice ? 1 : 0;
    } else if (typeof value === 'boolean') {
      out[`param.${spec.name}`] = value ? 1 : 0;
    } else {
      ranges.push({ name: spec.name, min: spec.low, max: spec.high });
    }
  }
  const numeric: Record<string, number> = {};
  for (const { name } of ranges) numeric[name] = params[name] as number;
  return { ...out, ...parameterFeatures(numeric, ranges) };
}

/** The regime at bar `at` as "trend/volatility" labels; null inside the detector's warm-up. */
export function regimeName(regime: RegimeOutput, at: number): string | null {
  if (at < 0) return null;
  const trend = regime.trend.label[at]!;
  const volatility = regime.volatility.label[at]!;
  if (trend === NO_LABEL || volatility === NO_LABEL) return null;
  return `${AXIS_LABELS.trend[trend]}/${AXIS_LABELS.volatility[volatility]}`;
}

/**
 * The market context a run's windows are described in: the rule detector's point-in-time labels over
 * the run's bars (computed once per run), at the timeframe named or, for a file's native bars, the one
 * their spacing shows (daily when it shows none Regimen stores).
 */
export function marketRegime(
  bars: Bars,
  timeframe: string,
): { regime: RegimeOutput; regimeInputs: RegimeInputNames; intraday: boolean } {
  const named = (TIMEFRAMES as readonly string[]).includes(timeframe) ? (timeframe as Timeframe) : null;
  const resolved = named ?? inferTimeframe(bars.t).timeframe ?? '1d';
  const detector = new RuleDetector({ timeframe: resolved });
  const regime = allocateRegimeOutput(detector.inputs, bars.t.length);
  detector.label(bars, regime);
  return { regime, regimeInputs: detector.inputs, intraday: resolved !== '1d' };
}

export interface WindowRange {
  readonly start: number;
  readonly end: number;
  readonly startTime: number;
  readonly endTime: number;
}

/** A finished walk-forward window as the walk-forward service reports it. */
export interface FinishedWindow {
  readonly index: number;
  readonly train: WindowRange;
  readonly test: WindowRange;
  readonly params: Params;
  readonly inSample: Readonly<Record<string, number | null>>;
  readonly outOfSample: Readonly<Record<string, number | null>>;
}

export interface WindowContext {
  readonly runId: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly strategy: string;
  readonly bars: Bars;
  /** A point-in-time detector's output over `bars` (see features.ts). */
  readonly regime: RegimeOutput;
  readonly regimeInputs: RegimeInputNames;
  readonly intraday: boolean;
  /** The session the run's cached bars kept to; absent for a file (or unknown). */
  readonly session?: Session | undefined;
}

/**
 * The two entries of a finished window. The test entry's features are θ, the market at the test
 * window's start and θ's train-window metrics (its past performance); nothing of the test window is read.
 */
export function windowLedgerEntries(
  context: WindowContext,
  window: FinishedWindow,
  recordedAt: number,
): [LedgerEntry, LedgerEntry] {
  const theta = spaceFeatures(window.params, learnerSpace(context.strategy));
  const common = {
    sourceId: context.runId,
    item: window.index,
    symbol: context.symbol,
    timeframe: context.timeframe,
    strategy: context.strategy,
    params: { ...window.params },
    session: ledgerSession(context.timeframe, context.session),
    recordedAt,
  };
  const at = (range: WindowRange): Features =>
    range.start >= 1
      ? marketContextFeatures(
          context.bars,
          context.regime,
          context.regimeInputs,
          range.start,
          context.intraday,
        )
      : {};
  const past = asMetrics(window.inSample);
  const testScore = window.outOfSample[LEDGER_SCORE_METRIC];
  return [
    {
      ...common,
      kind: 'window-train',
      startTime: window.train.startTime,
      endTime: window.train.endTime,
      features: finiteFeatures({ ...theta, ...at(window.train), ...pastPerformanceFeatures(undefined, 0) }),
      outcomes: { ...window.inSample },
      score: null,
      regime: regimeName(context.regime, window.train.start - 1),
    },
    {
      ...common,
      kind: 'window-test',
      startTime: window.test.startTime,
      endTime: window.test.endTime,
      features: finiteFeatures({
        ...theta,
        ...at(window.test),
        ...pastPerformanceFeatures(past, window.train.end - window.train.start),
      }),
      outcomes: { ...window.outOfSample },
      score: testScore === null || testScore === undefined ? null : testScore,
      regime: regimeName(context.regime, window.test.start - 1),
    },
  ];
}

/** A finished trial of a study: θ and its in-sample metrics (no market context: a study spans its range). */
export function trialLedgerEntry(
  study: { id: string; symbol: string; timeframe: string; strategy: string; session?: Session | undefined },
  trial: { number: number; params: Params; metrics: Readonly<Record<string, number | null>> },
  recordedAt: number,
): LedgerEntry {
  return {
    kind: 'trial',
    sourceId: study.id,
    item: trial.number,
    symbol: study.symbol,
    timeframe: study.timeframe,
    strategy: study.strategy,
    startTime: null,
    endTime: null,
    params: { ...trial.params },
    features: spaceFeatures(trial.params, learnerSpace(study.strategy)),
    outcomes: { ...trial.metrics },
    score: null,
    regime: null,
    session: ledgerSession(study.timeframe, study.session),
    recordedAt,
  };
}

/**
 * Features as a model can take them: a metric the evaluator did not report (or not finite) reads 0, as
 * the past-performance features do for a set with no past.
 */
function finiteFeatures(features: Features): Features {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(features)) out[name] = Number.isFinite(value) ? value : 0;
  return out;
}

/** Stored metrics back as core Metrics for the past-performance features (null: not finite, NaN here). */
function asMetrics(values: Readonly<Record<string, number | null>>): Metrics {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(values)) out[name] = value ?? Number.NaN;
  return out as unknown as Metrics;
}
