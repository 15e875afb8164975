/**
 * The learner's services, shared by the contract's handlers and the CLI: settings resolved from a
 * request, the ledger's status, and the heavy work handed to the compute pool (so a request never holds
 * the main thread for the seconds of backtests it takes).
 */
import { MessageChannel } from 'node:worker_threads';
import type { Bars, Timeframe } from '../../../core/data/bars.ts';
import { inferTimeframe } from '../../../core/data/timeframe.ts';
import type { BacktestOptions, CostSettings } from '../../../core/engine/index.ts';
import { ledgerSession, type Session } from '../../../core/ml/learner/ledger.ts';
import { defaultWindowBars } from '../../../core/ml/learner/panel.ts';
import type { Scorecard, ScorecardPart } from '../../../core/ml/learner/scorecard.ts';
import { STANDING_POPULATION } from '../../../core/ml/learner/standing.ts';
import type { DetectorName, RegimeAxis } from '../../../core/regime/index.ts';
import type { LearnerStatus } from '../../../shared/contract.ts';
import { InputError } from '../../../shared/errors.ts';
import type { LearnerSettings, ScorecardProgress } from '../../compute/learnerTasks.ts';
import type { TaskExecutor } from '../../compute/pool.ts';
import { LedgerLearner } from '../../ml/ledgerLearner.ts';
import type { LedgerReferenceSet, LedgerRepository } from '../../store/ledgerRepository.ts';
import { getStrategyOrThrow, resolveSpace } from '../optimize/studySetup.ts';
import type { RunPhase, RunProgress } from '../runProgress.ts';

export interface SettingsInput {
  readonly strategy: string;
  /** The bars' timeframe, or 'native' for a file's bars (guessed from their spacing). */
  readonly timeframe: Timeframe | 'native';
  readonly windowBars?: number | undefined;
  readonly seed: number;
  readonly model?: 'linear' | 'forest';
  /** The session the bars were read in and the windows keep to (regular unless asked). */
  readonly session?: 'regular' | 'extended';
  /**
   * Cash, commission and slippage of every backtest: what a backtest of the bars at the trader's settings
   * runs with, so the learner's windows are scored after the costs the trader pays.
   */
  readonly account: BacktestOptions;
  /** Annual, as a fraction: what every Sharpe ratio is measured over (the windows' scores too). */
  readonly riskFreeRate: number;
}

/** A request's strategy, space and windows as the pool's tasks take them; an unknown strategy names the field. */
export function learnerSettings(input: SettingsInput, bars: Bars): LearnerSettings {
  const strategy = getStrategyOrThrow(input.strategy);
  const windowBars = input.windowBars ?? defaultWindowBars(timeframeOf(input.timeframe, bars));
  return {
    strategy: strategy.name,
    space: resolveSpace(strategy, undefined, []),
    timeframe: input.timeframe,
    windowBars,
    session: input.session ?? 'regular',
    seed: input.seed,
    model: input.model ?? 'linear',
    backtest: input.account,
    riskFreeRate: input.riskFreeRate,
  };
}

/** The timeframe named, or the one a file's bar spacing shows (daily where it shows none stored). */
export function timeframeOf(timeframe: Timeframe | 'native', bars: Bars): Timeframe {
  return timeframe === 'native' ? (inferTimeframe(bars.t).timeframe ?? '1d') : timeframe;
}

/** Scored sets handed to a recommendation (the current market's population and earlier regimes' from them). */
const REGIME_POPULATION = 4 * STANDING_POPULATION;

/** Whose scored sets a recommendation's candidates stand among. */
export interface PopulationOf {
  readonly symbol: string;
  readonly timeframe: string;
  readonly strategy: string;
  /** The session intraday bars keep to (day bars file none: see ledgerSession). */
  readonly session: Session;
}

/**
 * The scored sets a recommendation reads its candidates' standing against, newest first and more than
 * one population's worth: a regime's earlier last bar reads what of it had ended by then. The Learner
 * view's recommendation, the CLI's (through `learner:state`) and the live desk's regime updates read
 * this same list.
 */
export function recommendationPopulation(
  ledger: LedgerRepository,
  of: PopulationOf,
): Promise<LedgerReferenceSet[]> {
  return ledger.referencePopulation(
    { ...of, session: ledgerSession(of.timeframe, of.session) },
    Number.MAX_SAFE_INTEGER,
    REGIME_POPULATION,
  );
}

/** The ledger's rows and each strategy's learner as last saved. */
export async function learnerStatus(ledger: LedgerRepository): Promise<LearnerStatus> {
  const learners = new LedgerLearner(ledger);
  const out: LearnerStatus['learners'] = [];
  for (const { strategy, rows } of await ledger.strategies()) {
    const loaded = await learners.load(strategy);
    const saved = await ledger.latestState(strategy);
    out.push({
      strategy,
      rows,
      learned: loaded.learner.count,
      pending: await ledger.learnableCountSince(strategy, loaded.ledgerSeq),
      version: loaded.version,
      resets: loaded.learner.resets,
      savedAt: saved?.savedAt ?? null,
      importance: loaded.learner.importance().slice(0, 12),
    });
  }
  return {
    ledger: {
      trial: await ledger.count('trial'),
      windowTrain: await ledger.count('window-train'),
      windowTest: await ledger.count('window-test'),
    },
    learners: out,
  };
}

export interface ScorecardInput extends SettingsInput {
  readonly trials: number;
  readonly threshold: number;
  readonly detector: DetectorName;
  readonly axis: RegimeAxis;
}

/**
 * The scorecard's parts as its progress names them, each with the share of the run it spans: rough
 * shares of a run's time at the default 20 trials, measured from the CLI's progress line on GOOG's day
 * bars (5.7 s: study 15 %, windows 7 %, overfitting 7 %, panel and learner 70 %, test windows under
 * 1 %) and SPY's minutes (12 s: 19, 7, 4, 69, under 1); the learner's prequential pass was three
 * quarters of the panel and learner's time on GOOG (1.5 s and 4.8 s on one thread).
 */
export const SCORECARD_PHASES: Record<ScorecardPart, RunPhase> = {
  study: { name: 'full-sample study of the trials', from: 0, to: 0.17 },
  optimised: { name: 'optimised and regime-aware policies', from: 0.17, to: 0.24 },
  overfitting: { name: 'probability of backtest overfitting', from: 0.24, to: 0.3 },
  panel: { name: "learner policy: every trial on the learner's windows", from: 0.3, to: 0.47 },
  learner: { name: 'learner policy: learning window by window', from: 0.47, to: 0.99 },
  test: { name: 'default and learner policies', from: 0.99, to: 1 },
};

/**
 * The scorecard on the pool, telling `progress` how far it has got (its parts and their windows). Bars
 * too few for its windows are the caller's to fix: the error says how many it has and needs, as an
 * InputError on `field`.
 */
export async function runScorecard(
  pool: TaskExecutor,
  bars: Bars,
  input: ScorecardInput,
  field: string,
  progress?: RunProgress,
): Promise<Scorecard> {
  const settings = learnerSettings(input, bars);
  const { port1, port2 } = progress === undefined ? {} : new MessageChannel();
  port1?.on('message', ({ part, done, total }: ScorecardProgress) => {
    if (done === 0) progress!.phase(SCORECARD_PHASES[part], total);
    else progress!.windowDone(done);
  });
  try {
    const card = await pool.run({
      kind: 'scorecard',
      bars,
      settings,
      trials: input.trials,
      threshold: input.threshold,
      detector: input.detector,
      axis: input.axis,
      detectorTimeframe: timeframeOf(input.timeframe, bars),
      ...(port2 === undefined ? {} : { progress: port2 }),
    });
    progress?.finished();
    return card;
  } catch (error) {
    throw asInputError(error, { bars: field, windowBars: chosenWindowField(input.windowBars) });
  } finally {
    port1?.close();
  }
}

/**
 * Which field of a request can fix core's refusal of its bars or window size: too few bars for the
 * learner's windows is the window's when the caller chose one (a smaller one fits), else the bars'; a
 * window size refused outright is the window's; too few bars for a train and a test window are the bars'.
 * Core's other refusals (a RangeError) follow from the request as a whole and name no field of it, so
 * none is blamed; any other error is a fault and is left as it is.
 */
export function asInputError(
  error: unknown,
  fields: { readonly bars: string; readonly windowBars: string | undefined },
): unknown {
  if (!(error instanceof Error)) return error;
  const { message } = error;
  if (/^panel: windowBars /.test(message)) return new InputError(message, fields.windowBars ?? 'windowBars');
  if (/^only \d+ windows of |^scorecard: .* learner windows of /.test(message))
    return new InputError(message, fields.windowBars ?? fields.bars);
  if (/^(regime comparison|walk-forward): |^scorecard: \d+ bars are fewer than/.test(message))
    return new InputError(message, fields.bars);
  if (error.name === 'RangeError') return new InputError(message);
  return error;
}

/** The request's window size as a field to blame, when the caller chose it (a default fits any bars it can). */
export const chosenWindowField = (windowBars: number | undefined): string | undefined =>
  windowBars === undefined ? undefined : 'windowBars';

/** Non-finite numbers as null, all the way down: the contract carries figures that are not defined so. */
export function finiteDeep(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(finiteDeep);
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, finiteDeep);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, finiteDeep(v)]));
  return value;
}

/** The scorecard as the contract and the CLI's JSON carry it: each decision's prediction reduced to its figures. */
export function scorecardPayload(
  card: Scorecard,
  about: {
    symbol: string;
    timeframe: string;
    strategy: string;
    cash: number;
    commission: number;
    costs: CostSettings;
    riskFreeRate: number;
    trials: number;
  },
) {
  const { decisions, ...rest } = card;
  return {
    ...about,
    ...rest,
    decisions: decisions.map((d) => ({
      testStartTime: d.testStartTime,
      params: d.params,
      action: d.action,
      reason: d.reason,
      score: d.predicted?.score ?? null,
      confidence: d.predicted?.confidence ?? null,
      skill: d.skill,
    })),
  };
}
