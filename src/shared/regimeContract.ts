/**
 * The regime part of the contract: a detector's labels over a cached symbol and timeframe, as stored
 * (recomputed when the bars changed), and the per-regime table the CLI's `regimen regimes` prints.
 */
import { z } from 'zod';
import { DETECTOR_NAMES } from '../core/regime/detector.ts';
import { REGIME_AXES } from '../core/regime/labels.ts';
import { JobCancelled } from './appContract.ts';
import type { DomainContract } from './domain.ts';
import { costSettingsRequestSchema } from './costs.ts';
import { DEFAULT_COMPARE_COMMISSION, DEFAULT_DETECTOR, SWITCH_AXIS_CHOICES } from './regimeChoices.ts';
import type { REGIME_CHANNELS } from './regimeChannels.ts';
import { RunProgressEvent } from './runProgress.ts';
import {
  END_AFTER_START,
  endAfterStart,
  epochMsSchema,
  jobIdSchema,
  metricValue,
  sessionSchema,
  symbolSchema,
  timeframeSchema,
} from './schemas.ts';

export const detectorSchema = z.enum(DETECTOR_NAMES, {
  error: `must be one of ${DETECTOR_NAMES.join(', ')}`,
});

/** A detector's persistence settings (core's DetectorSettings); absent ones keep the detector's default. */
export const DetectorSettingsSchema = z.strictObject({
  hysteresis: z.number().min(0, 'must be at least 0').lt(1, 'must be below 1').optional(),
  minDwell: z.number().int('must be a whole number of bars').min(1, 'must be at least 1 bar').optional(),
  jumpPenalty: z.number().min(0, 'must be at least 0').max(1e6, 'must be at most 1,000,000').optional(),
  /** The jump detector's volatility feature as an exponentially weighted mean of this half-life in bars. */
  halflife: z
    .number()
    .gt(0, 'must be more than 0 bars')
    .max(100_000, 'must be at most 100,000 bars')
    .optional(),
});

/** The jump model's own settings; on another detector they would be silently ignored, so they are refused. */
const JUMP_ONLY_SETTINGS = ['jumpPenalty', 'halflife'] as const;
function jumpSettingsOnJumpOnly(
  query: {
    detector: string;
    settings?: { [K in (typeof JUMP_ONLY_SETTINGS)[number]]?: number | undefined } | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  if (query.detector === 'jump') return;
  for (const field of JUMP_ONLY_SETTINGS)
    if (query.settings?.[field] !== undefined)
      ctx.addIssue({
        code: 'custom',
        message: 'applies to the jump detector only',
        path: ['settings', field],
      });
}

/** A detector and its settings, checked as every request checks them (the CLI's flags are checked here). */
export const DetectorChoice = z
  .strictObject({ detector: detectorSchema, settings: DetectorSettingsSchema.optional() })
  .superRefine(jumpSettingsOnJumpOnly);

export const RegimesQuery = z
  .strictObject({
    symbol: symbolSchema,
    timeframe: timeframeSchema,
    detector: detectorSchema,
    settings: DetectorSettingsSchema.optional(),
    /** The session the bars keep to, as in backtest:run (absent: regular hours, 1m bars as stored). */
    session: sessionSchema.optional(),
    /** Bars returned from here (inclusive); the labels are always computed over every stored bar. */
    start: epochMsSchema.optional(),
    end: epochMsSchema.optional(),
  })
  .refine(endAfterStart, END_AFTER_START)
  .superRefine(jumpSettingsOnJumpOnly);

/** NaN (an empty regime, no spell) travels as null. */
const statistic = z.number().nullable();

export const RegimeLabelRow = z.object({
  label: z.string(),
  share: statistic,
  /** Mean log return ln(c / previous c) of the label's bars: per bar, not annualised (a fraction). */
  meanReturn: statistic,
  /** Standard deviation of the same per-bar log returns: per bar, not annualised (a fraction). */
  volatility: statistic,
  typicalDuration: statistic,
  spells: z.number(),
});

export const RegimeAxisResult = z.object({
  /** Label names in code order. */
  names: z.array(z.string()),
  /** Label code per returned bar (index into names); null during warm-up. */
  labels: z.array(z.number().nullable()),
  /** Over every stored bar, not only the returned range. */
  summary: z.array(RegimeLabelRow),
  /** transitions[a][b]: share of bars labelled a whose next bar is labelled b. */
  transitions: z.array(z.array(statistic)),
  /** Why the summary's figures run against the labels' order, when they do (core/regime orderNote). */
  orderNote: z.string().nullable(),
});

export const RegimesResult = z.object({
  symbol: z.string(),
  timeframe: timeframeSchema,
  detector: z.enum(DETECTOR_NAMES),
  settings: DetectorSettingsSchema,
  session: sessionSchema.optional(),
  /** Content fingerprint of the bars the labels were computed on. */
  datasetId: z.string(),
  warmup: z.number(),
  /** False when the stored labels were served as they were. */
  recomputed: z.boolean(),
  t: z.array(z.number()),
  axes: z.object(
    Object.fromEntries(REGIME_AXES.map((axis) => [axis, RegimeAxisResult])) as Record<
      (typeof REGIME_AXES)[number],
      typeof RegimeAxisResult
    >,
  ),
});

/** The axes a parameter set may be switched on (volume regimes say little about which set to trade). */
const SWITCH_AXES = SWITCH_AXIS_CHOICES;

/** How a regime earns its own set, in a per-regime study, a comparison and an optimizer study alike. */
const regimeSetFields = {
  detector: detectorSchema,
  settings: DetectorSettingsSchema.optional(),
  axis: z.enum(SWITCH_AXES, { error: `must be one of ${SWITCH_AXES.join(', ')}` }).default('volatility'),
  /** A regime's own set needs this many trades entered in it in training, else it trades the global set. */
  minTrades: z.number().int().min(0).max(100_000).default(30),
  /** Bars a regime's set stays in force at least once switched to. */
  minDwell: z.number().int().min(1).max(100_000).default(5),
};

/**
 * An optimizer study's per-regime mode (issue 11 item 8): once the study completes, each of its trials is
 * scored on the bars of each regime, and each regime gets its best set or the global one with the reason.
 */
export const PerRegimeSettings = z
  .strictObject({ ...regimeSetFields, detector: detectorSchema.default(DEFAULT_DETECTOR) })
  .superRefine(jumpSettingsOnJumpOnly);

/**
 * A per-regime study: every trial of a strategy scored on the bars of each regime of one axis. The same
 * fields start the comparison, which runs that study inside each walk-forward train window.
 */
const perRegimeStudyFields = {
  jobId: jobIdSchema.optional(),
  symbol: symbolSchema,
  timeframe: timeframeSchema,
  ...regimeSetFields,
  /** The session the bars keep to, as in regimes:get and backtest:run. */
  session: sessionSchema.optional(),
  strategy: z.string().min(1).default('sma-cross'),
  /** Both policies choose from the same trials: a grid or a seeded random sample of the strategy's space. */
  sampler: z.enum(['random', 'grid']).default('random'),
  trials: z.number().int().min(2, 'must be at least 2').max(2000, 'must be at most 2000').default(40),
  seed: z.number().int().min(0).default(1),
  /** Per side, as a fraction (0.0005 = 0.05 %): costs are part of the comparison (the app sends Settings'). */
  commission: z.number().min(0).max(0.1).default(DEFAULT_COMPARE_COMMISSION),
  /** Fees, spread and impact; a part left out takes the symbol's asset-class default, as in a backtest. */
  costs: costSettingsRequestSchema,
  /** Starting cash of every backtest (the app sends Settings' default cash); absent: 10,000. */
  cash: z.number().positive('must be more than 0').max(1e12, 'must be at most 1e12').optional(),
};

export const RegimeStudyRequest = z.strictObject(perRegimeStudyFields).superRefine(jumpSettingsOnJumpOnly);

export const RegimeCompareRequest = z
  .strictObject({
    ...perRegimeStudyFields,
    /** Bars per train / test window; by default three purge gaps and a fifth of the rest. */
    train: z.number().int().min(1).optional(),
    test: z.number().int().min(1).optional(),
  })
  .superRefine(jumpSettingsOnJumpOnly);

const params = z.record(z.string(), z.number());

export const RegimeScoreResult = z.object({
  bars: z.number(),
  sharpeRatio: metricValue,
  totalReturn: metricValue,
  trades: z.number(),
  winRate: metricValue,
});

/** One regime's winner: its own set, or the global set with the reason it fell back. */
export const RegimeWinnerResult = z.object({
  label: z.string(),
  params,
  score: RegimeScoreResult,
  fellBack: z.boolean(),
  reason: z.string().nullable(),
});

export const RegimeStudyResult = z.object({
  symbol: z.string(),
  timeframe: timeframeSchema,
  /**
   * Every timeframe an optimizer study's sets were scored on, when it has several (`timeframe` is the
   * first, `bars` its bar count): each regime's scores are combined across them as the study's are.
   */
  timeframes: z.array(timeframeSchema).optional(),
  detector: z.enum(DETECTOR_NAMES),
  axis: z.enum(SWITCH_AXES),
  strategy: z.string(),
  bars: z.number(),
  global: z.object({ params, score: RegimeScoreResult }),
  regimes: z.array(RegimeWinnerResult),
  /** Trials per regime plus the global ones: what a deflated Sharpe of the switched policy counts. */
  trialCount: z.number(),
  minTrades: z.number(),
});

/** A per-regime optimizer study's outcome: null result while it runs, the error if scoring failed. */
export const StudyRegimeSets = z.object({
  settings: PerRegimeSettings,
  result: RegimeStudyResult.nullable(),
  error: z.string().nullable(),
});

export const PolicyReportResult = z.object({
  sharpeRatio: metricValue,
  maxDrawdown: metricValue,
  totalReturn: metricValue,
  winRate: metricValue,
  trades: z.number(),
  turnover: metricValue,
  deflatedSharpe: metricValue,
  trialCount: z.number(),
  pbo: metricValue,
});

export const RegimeCompareResult = RegimeStudyResult.extend({
  windows: z.number(),
  train: z.number(),
  test: z.number(),
  purge: z.number(),
  /** Windows in which each regime (in label order) fell back to the global set. */
  fellBackWindows: z.array(z.number()),
  regimeAware: PolicyReportResult,
  globalPolicy: PolicyReportResult,
  better: z.boolean(),
  /** The one-sentence verdict: better or not, and the figures that decided it. */
  verdict: z.string(),
});

export const regimeContract = {
  requests: {
    'regimes:get': { input: RegimesQuery, output: RegimesResult, refused: 'Regimes not labelled' },
    'regimes:winners': {
      input: RegimeStudyRequest,
      output: z.union([RegimeStudyResult, JobCancelled]),
      refused: 'Winners per regime not found',
    },
    'regimes:compare': {
      input: RegimeCompareRequest,
      output: z.union([RegimeCompareResult, JobCancelled]),
      refused: 'Regime comparison not run',
    },
  },
  events: {
    /**
     * How far a regimes:compare run (its jobId) has got: the full-sample study, then the windows of the
     * global and regime-aware policies, a rough time left; at most every few hundred ms, each part's
     * start and the end always.
     */
    'regimes:compare-progress': RunProgressEvent,
  },
} as const satisfies DomainContract<typeof REGIME_CHANNELS>;

export type RegimesResult = z.output<typeof RegimesResult>;
export type RegimeAxisResult = z.output<typeof RegimeAxisResult>;
export type RegimesQuery = z.input<typeof RegimesQuery>;
export type RegimeStudyRequest = z.output<typeof RegimeStudyRequest>;
export type RegimeCompareRequest = z.output<typeof RegimeCompareRequest>;
export type RegimeStudyResult = z.output<typeof RegimeStudyResult>;
export type RegimeCompareResult = z.output<typeof RegimeCompareResult>;
export type PolicyReportResult = z.output<typeof PolicyReportResult>;
export type PerRegimeSettings = z.output<typeof PerRegimeSettings>;
export type StudyRegimeSets = z.output<typeof StudyRegimeSets>;
export type DetectorSettingsInput = z.output<typeof DetectorSettingsSchema>;
