/**
 * The learner part of the contract. The evaluation, the recommendation and the scorecard are minutes of
 * backtests at most: each runs on the compute pool as a job (its `jobId` names the progress events).
 * Figures that are not finite (a win rate without trades, a PBO not defined) travel as null.
 */
import { z } from 'zod';
import { DETECTOR_NAMES } from '../core/regime/detector.ts';
import { costSettingsRequestSchema, costSettingsSchema } from './costs.ts';
import type { DomainContract } from './domain.ts';
import type { LEARNER_CHANNELS } from './learnerChannels.ts';
import { LEARN_FROM, LEARNER_PANEL_SETS, SCORECARD_TRIALS } from './learnerChoices.ts';
import { ParamValue } from './optimizeContract.ts';
import { PolicyReportResult } from './regimeContract.ts';
import { RunProgressEvent } from './runProgress.ts';
import { jobIdSchema, metricValue, sessionSchema, symbolSchema, timeframeSchema } from './schemas.ts';

/** What the learner is asked about: a strategy on a cached symbol and timeframe. */
const subject = {
  jobId: jobIdSchema.optional(),
  symbol: symbolSchema,
  timeframe: timeframeSchema,
  strategy: z.string().min(1).default('sma-cross'),
  /**
   * Intraday equities: the hours of the bars read and the session each learner window opens at and keeps
   * to (the CLI's --session); day bars, FX and crypto ignore it.
   */
  session: sessionSchema.default('regular'),
};

const windowBars = z.number().int().min(5).max(100_000);
const seed = z.number().int().min(0).default(1);
const feature = z.object({ feature: z.string(), weight: z.number() });

export const LearnerStatus = z.object({
  ledger: z.object({ trial: z.number(), windowTrain: z.number(), windowTest: z.number() }),
  learners: z.array(
    z.object({
      strategy: z.string(),
      /** Ledger rows with a score (out-of-sample windows): what it can learn. */
      rows: z.number(),
      learned: z.number(),
      /** Ledger rows with a score it has not learned yet (0: up to date; it learns in idle time). */
      pending: z.number(),
      version: z.number(),
      resets: z.number(),
      savedAt: z.number().nullable(),
      /** Weights of the linear model on standardised features, largest first. */
      importance: z.array(feature),
    }),
  ),
});

/**
 * A strategy's learner as the ledger last saved it (the CLI's `learner recommend --from-ledger`) and,
 * for a symbol and timeframe, the scored sets its candidates' standing is read against: the same the
 * Learner view's recommendation reads, so both ask the learner with the features it learned from.
 */
export const LearnerStateRequest = z.strictObject({
  strategy: z.string().min(1),
  /**
   * The ledger's symbol (a file's name for a run on a file) and timeframe ('native' for a file), and for
   * intraday bars the session whose rows make the population (regular unless asked).
   */
  population: z
    .strictObject({
      symbol: z.string().min(1).max(255),
      timeframe: z.string().min(1).max(32),
      session: sessionSchema.default('regular'),
    })
    .optional(),
});
const referenceSet = z.object({
  params: z.record(z.string(), ParamValue),
  score: z.number(),
  endTime: z.number(),
});
export const LearnerState = z.object({
  /** Scored sets, newest first (empty unless a population was asked for). */
  population: z.array(referenceSet),
  /** Null when the strategy's learner was never saved. */
  saved: z
    .object({
      learner: z.string(),
      version: z.number(),
      /** Every ledger row up to this arrival number was learned. */
      ledgerSeq: z.number(),
      learned: z.number(),
      /** The model's state as stored (JSON), restored by the caller. */
      state: z.unknown(),
      savedAt: z.number(),
    })
    .nullable(),
});

/** What a backfill recorded in the ledger from the studies and walk-forward windows stored before it. */
export const LearnerBackfillReport = z.object({
  studies: z.number(),
  trials: z.number(),
  windows: z.number(),
  /** Rows the ledger did not have yet. */
  added: z.number(),
  learned: z.number(),
  /** What could not be recorded, and why. */
  skipped: z.array(z.string()),
});

/**
 * What every backtest of a learner request (its windows' sets, the scorecard's policies) starts with and
 * pays, as a backtest from the forms does; each left out is Settings' (cash, commission per side as a
 * fraction of traded value, and fees, spread and impact, a part Settings leave to the asset class taking
 * the symbol's asset-class default). Every Sharpe ratio, the windows' scores included, is over Settings'
 * risk-free rate.
 */
const backtestTerms = {
  cash: z.number().positive('must be more than 0').max(1e12, 'must be at most 1e12').optional(),
  commission: z.number().min(0).max(0.1).optional(),
  costs: costSettingsRequestSchema,
};

const panelSets = z.number().int().min(5).max(500).default(LEARNER_PANEL_SETS);

export const LearnerEvaluateRequest = z.strictObject({
  ...subject,
  /** Parameter sets tested in every window. */
  sets: panelSets,
  /** Bars per window: about a trading day intraday, a month of days, by default. */
  windowBars: windowBars.optional(),
  seed,
  model: z.enum(['linear', 'forest']).default('linear'),
  ...backtestTerms,
});

/**
 * A figure's uncertainty is counted in windows, not predictions (a window's sets hit or miss together):
 * each t and 95 % interval is a Newey-West HAC one over the per-window figures in time order.
 */
const rankFigure = z.object({ mean: metricValue, t: metricValue });
const windowInterval = z.object({ lower: metricValue, upper: metricValue });
const precisionFigure = z.object({
  precision: metricValue,
  lower: metricValue,
  upper: metricValue,
  predictions: z.number(),
});

export const LearnerEvaluation = z.object({
  symbol: z.string(),
  timeframe: timeframeSchema,
  strategy: z.string(),
  windowBars: z.number(),
  sets: z.number(),
  windows: z.number(),
  predictions: z.number(),
  mae: metricValue,
  baselineMae: metricValue,
  rank: rankFigure,
  baselineRank: rankFigure,
  topQuintile: precisionFigure,
  baselineTopQuintile: precisionFigure,
  coverage80: metricValue,
  coverage90: metricValue,
  coverage80Interval: windowInterval,
  coverage90Interval: windowInterval,
  /** Share of the 80 % and 90 % intervals issued unbounded: they cover every outcome, so a coverage
   *  figure is only as good as this share is small. */
  unbounded80: metricValue,
  unbounded90: metricValue,
  pairwise: metricValue,
  pairwiseInterval: windowInterval,
  baselinePairwise: metricValue,
  quintileAccuracy: metricValue,
  confidenceDeciles: z.object({ top: metricValue, bottom: metricValue }),
  regime: z.object({ windows: z.number(), model: metricValue, stays: metricValue }),
  resets: z.number(),
  /** The figures over the latest predictions after each scored window (the charts over time). */
  rolling: z.array(
    z.object({
      window: z.number(),
      startTime: z.number(),
      mae: metricValue,
      rank: metricValue,
      topQuintile: metricValue,
      coverage80: metricValue,
      coverage90: metricValue,
      pairwise: metricValue,
    }),
  ),
  /** Nominal coverage of each interval against the share of results that landed inside it. */
  calibration: z.array(z.object({ nominal: z.number(), realised: metricValue })),
  importance: z.array(feature),
});

export const LearnerRecommendRequest = z.strictObject({
  ...subject,
  /**
   * Left out: the ledger once its learner has learned as many results as its intervals and confidence
   * are read over (one calibration window), else the bars; the answer's basis says which answered.
   */
  learnFrom: z.enum(LEARN_FROM).optional(),
  /** Sets of the bars' panel (learnFrom 'bars'). */
  sets: panelSets,
  /** Below this confidence the answer is "keep the current set". */
  threshold: z.number().min(0).max(1).default(0.5),
  /** Candidates the sampler proposes per regime. */
  trials: z.number().int().min(4).max(500).default(32),
  /** Regimes answered for: the current one and the most recent others. */
  regimes: z.number().int().min(1).max(9).default(4),
  windowBars: windowBars.optional(),
  seed,
  ...backtestTerms,
});

const interval = z.object({ lower: metricValue, upper: metricValue });

export const RegimeRecommendation = z.object({
  regime: z.string().nullable(),
  /** True for the regime the market is in now. */
  current: z.boolean(),
  /** The bar time the market was read at. */
  asOf: z.number(),
  action: z.enum(['switch', 'keep']),
  /** Why the current set is kept. */
  reason: z.string().nullable(),
  params: z.record(z.string(), z.number()),
  score: metricValue,
  interval80: interval,
  interval90: interval,
  confidence: metricValue,
  novelty: metricValue,
  drivers: z.array(z.object({ feature: z.string(), contribution: z.number() })),
  candidates: z.number(),
});

export const LearnerRecommendations = z.object({
  symbol: z.string(),
  timeframe: timeframeSchema,
  strategy: z.string(),
  /**
   * The learner that answered: the ledger's saved one (its state version, the results it has learned,
   * its drift resets) or one trained on the bars' panel (the results it learned, the panel's windows and
   * sets, and its rank correlation with its t and "A beats B" share (and its interval) out of sample there: the skill its
   * answers rest on, a switch needing a positive rank correlation at t >= 2). The ledger's keeps no
   * out-of-sample figure: its skill is not measured, and it switches on confidence alone.
   */
  basis: z.discriminatedUnion('source', [
    z.object({ source: z.literal('ledger'), version: z.number(), learned: z.number(), resets: z.number() }),
    z.object({
      source: z.literal('bars'),
      learned: z.number(),
      windows: z.number(),
      sets: z.number(),
      rank: metricValue,
      rankT: metricValue,
      pairwise: metricValue,
      pairwiseInterval: windowInterval,
    }),
  ]),
  /**
   * The ledger's learner, whichever answered: the results it has learned, and how many its intervals and
   * confidence are read over (it answers a request that leaves learnFrom out once it has that many).
   */
  ledger: z.object({ learned: z.number(), calibrationWindow: z.number() }),
  recommendations: z.array(RegimeRecommendation),
});

export const ScorecardRequest = z.strictObject({
  ...subject,
  /** Trials the optimised, regime-aware and learner policies choose from. */
  trials: z
    .number()
    .int()
    .min(SCORECARD_TRIALS.min)
    .max(SCORECARD_TRIALS.max)
    .default(SCORECARD_TRIALS.default),
  seed,
  windowBars: windowBars.optional(),
  ...backtestTerms,
  threshold: z.number().min(0).max(1).default(0.5),
  detector: z.enum(DETECTOR_NAMES).default('rules'),
  axis: z.enum(['trend', 'volatility']).default('volatility'),
});

export const SCORECARD_POLICIES = ['default', 'optimised', 'regimeAware', 'learner'] as const;

/** The regimes comparison's report of a policy, plus how far its parameters move between windows. */
const policy = PolicyReportResult.extend({ stability: metricValue });

const perPolicy = <T extends z.ZodType>(value: T) =>
  z.object({
    default: value.optional(),
    optimised: value.optional(),
    regimeAware: value.optional(),
    learner: value.optional(),
  });

export const ScorecardResult = z.object({
  symbol: z.string(),
  timeframe: timeframeSchema,
  strategy: z.string(),
  /** What the backtests were run with: cash, commission (a fraction per side), the costs in full. */
  cash: z.number(),
  commission: z.number(),
  costs: costSettingsSchema,
  /** Annual, as a fraction: what every Sharpe ratio here is measured over (Settings'). */
  riskFreeRate: z.number(),
  trials: z.number(),
  bars: z.number(),
  purge: z.number(),
  train: z.number(),
  test: z.number(),
  windowBars: z.number(),
  windows: z.number(),
  trialCount: z.number(),
  policies: z.object({ default: policy, optimised: policy, regimeAware: policy, learner: policy }),
  prediction: z.object({
    predictions: z.number(),
    pairwise: metricValue,
    pairwiseInterval: windowInterval,
    rank: metricValue,
    rankT: metricValue,
    topQuintile: metricValue,
    topQuintileInterval: windowInterval,
    coverage80: metricValue,
    coverage80Interval: windowInterval,
  }),
  decisions: z.array(
    z.object({
      testStartTime: z.number(),
      params: z.record(z.string(), z.number()),
      action: z.enum(['switch', 'keep']),
      /** Why the set in force is kept (null on a switch). */
      reason: z.string().nullable(),
      score: metricValue,
      confidence: metricValue,
      /** The learner's rank correlation over the windows closed before the test window (its t: null below two). */
      skill: z.object({ mean: metricValue, t: metricValue, windows: z.number() }),
    }),
  ),
  goals: z.array(
    z.object({
      goal: z.enum(['sharpe', 'drawdown', 'winRate', 'predictionAccuracy', 'stability']),
      target: z.string(),
      measured: perPolicy(metricValue),
      met: perPolicy(z.boolean()),
    }),
  ),
});

export const learnerContract = {
  requests: {
    'learner:status': {
      input: z.strictObject({}),
      output: LearnerStatus,
      refused: 'Learner status not read',
    },
    'learner:state': { input: LearnerStateRequest, output: LearnerState, refused: 'Learner state not read' },
    'learner:backfill': {
      // A job: progress over job:progress, job:cancel stops it (what it appended stays; a rerun adds the rest).
      input: z.strictObject({ jobId: jobIdSchema.optional() }),
      output: LearnerBackfillReport,
      refused: 'Learner not backfilled',
    },
    'learner:evaluate': {
      input: LearnerEvaluateRequest,
      output: LearnerEvaluation,
      refused: 'Learner not evaluated',
    },
    'learner:recommend': {
      input: LearnerRecommendRequest,
      output: LearnerRecommendations,
      refused: 'No recommendation made',
    },
    'learner:scorecard': {
      input: ScorecardRequest,
      output: ScorecardResult,
      refused: 'Scorecard not computed',
    },
  },
  events: {
    /**
     * How far a learner:scorecard run (its jobId) has got: the policies' part running, its windows, a
     * rough time left; sent at most every few hundred ms, at each part's start and at the end.
     */
    'learner:scorecard-progress': RunProgressEvent,
  },
} as const satisfies DomainContract<typeof LEARNER_CHANNELS>;

export type LearnerStatus = z.output<typeof LearnerStatus>;
export type LearnerBackfillReport = z.output<typeof LearnerBackfillReport>;
export type LearnerState = z.output<typeof LearnerState>;
export type LearnerEvaluation = z.output<typeof LearnerEvaluation>;
export type RegimeRecommendation = z.output<typeof RegimeRecommendation>;
export type LearnerRecommendations = z.output<typeof LearnerRecommendations>;
export type ScorecardResult = z.output<typeof ScorecardResult>;
export type ScorecardPolicyName = (typeof SCORECARD_POLICIES)[number];
