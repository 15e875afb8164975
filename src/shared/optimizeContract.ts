/**
 * The optimisation part of the contract: studies (start, resume, list, get, approve; a running study is
 * stopped by `job:cancel` with its study id), walk-forward runs, and the live events of a running study.
 * Kept apart from contract.ts so the optimizer's schemas can evolve without touching the shared map
 * beyond its entries.
 *
 * Numbers that JSON cannot carry (NaN, ±Infinity: e.g. the Sharpe ratio of a flat equity curve) travel
 * as null, as everywhere in the contract.
 */
import { z } from 'zod';
import { TIMEFRAMES } from '../core/data/bars.ts';
import { JobCancelled } from './appContract.ts';
import { BacktestResult, TearSheetPayload } from './backtestContract.ts';
import { RedisConnectionNotice } from './computeContract.ts';
import { costSettingsRequestSchema } from './costs.ts';
import type { DomainContract } from './domain.ts';
import type { OPTIMIZE_CHANNELS } from './optimizeChannels.ts';
import { PerRegimeSettings, StudyRegimeSets } from './regimeContract.ts';
import { RunProgressEvent } from './runProgress.ts';
import { TrialFilter } from './trialFilter.ts';
import {
  DIRECTIONS,
  MAX_TRIALS,
  OBJECTIVE_MODES,
  SAMPLER_KINDS,
  STUDY_NAME_MAX,
  STUDY_NOTE_MAX,
  SLICE_AGGREGATIONS,
  TRIALS_PAGE_LIMIT,
  MAX_STUDY_SYMBOLS,
} from './optimizeChoices.ts';
import {
  cashSchema,
  END_AFTER_START,
  endAfterStart,
  epochMsSchema,
  jobIdSchema,
  localPath,
  metricValue,
  NATIVE_TIMEFRAME,
  sessionSchema,
  symbolSchema,
  timeframeSchema,
} from './schemas.ts';

const paramName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_.]*$/,
    "a parameter name is letters, digits, '_' or '.', not starting with a digit",
  );
const metricName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_.@]*$/, 'a metric name is letters, digits, _ . or @ (e.g. sharpeRatio)');

export const StudyId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a study id is 1-64 letters, digits, - or _');

export const ParamValue = z.union([z.number().finite(), z.string(), z.boolean()]);
export const ParamSet = z.record(paramName, ParamValue);

/** One parameter of a search space, mirroring core/optimize's ParamSpec. */
export const SpaceParam = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('int'),
    name: paramName,
    low: z.number().int(),
    high: z.number().int(),
    step: z.number().int().positive().default(1),
    log: z.boolean().default(false),
  }),
  z.strictObject({
    kind: z.literal('float'),
    name: paramName,
    low: z.number().finite(),
    high: z.number().finite(),
    /** null or absent: continuous. */
    step: z.number().positive().finite().nullable().default(null),
    log: z.boolean().default(false),
  }),
  z.strictObject({
    kind: z.literal('categorical'),
    name: paramName,
    choices: z.array(ParamValue).min(1).max(1000),
  }),
]);

/**
 * A space: parameter objects, or the CLI's spec strings ("fast=5:25:5", "x=0.1:10:log", "kind=a|b").
 * Absent: the strategy's own parameter ranges (and its constraints) are the space.
 */
export const SpaceInput = z.union([
  z.array(z.string().min(3).max(200)).min(1).max(64),
  z.array(SpaceParam).min(1).max(64),
]);

export const ObjectiveInput = z.strictObject({
  /** Any metric a backtest reports (see METRIC_DEFINITIONS), e.g. sharpeRatio, finalEquity, maxDrawdown. */
  metric: metricName,
  /** Absent: the metric's natural direction, from the metric catalogue (core/metrics/definitions.ts). */
  direction: z.enum(DIRECTIONS).optional(),
  /** Weighted mode only; 1 by default. */
  weight: z.number().finite().optional(),
  /** Compare magnitudes (set automatically for maxDrawdown, reported negative). */
  absolute: z.boolean().optional(),
});

export const SamplerInput = z.union([
  z.enum(SAMPLER_KINDS),
  z.strictObject({
    kind: z.enum(SAMPLER_KINDS),
    /** Sampler options (see core/optimize/sampler.ts: GridOptions, TpeOptions, GaOptions, Nsga2Options). */
    options: z.record(z.string(), z.number().finite()).default({}),
  }),
]);

/**
 * The last part of a study's data kept from its search: a share of the first timeframe's bars (0.2 = the
 * last 20 %) or every bar from a time on. The winner is then run on it once, beside its in-sample result.
 */
export const HoldoutInput = z.union([
  z.strictObject({ fraction: z.number().gt(0, 'must be above 0').max(0.9, 'must be at most 0.9 (90 %)') }),
  z.strictObject({ from: epochMsSchema }),
]);

/** One symbol at one timeframe of a held-out part: its bars on each side and the winner's figures there. */
export const HoldoutSlice = z.object({
  /** The slice's key in the study's metrics (`metric@label`): the symbol, the timeframe, or both. */
  label: z.string(),
  symbol: z.string(),
  timeframe: z.string(),
  bars: z.number(),
  searchedBars: z.number(),
  inSample: z.record(z.string(), metricValue),
  outOfSample: z.record(z.string(), metricValue),
});

/**
 * The held-out part of a study and how its winner did there and before it (the same run, split). Every
 * symbol and timeframe the study scored is held out from the same time; their figures are combined as the
 * study combines its trials' (its aggregation, each slice's kept as `metric@label`).
 */
export const StudyHoldout = z.object({
  /** The first held-out bar's time: the search saw only bars before it. */
  from: z.number(),
  /** Bars held out (first timeframe) and bars searched. */
  bars: z.number(),
  searchedBars: z.number(),
  /** The winner's equity metrics before `from` and from it on (one run over both, warmed up). */
  inSample: z.record(z.string(), metricValue),
  outOfSample: z.record(z.string(), metricValue),
  /**
   * Each slice's own figures, in the study's slice order. Absent: a study finished before holdouts covered
   * every slice, whose figures are its first slice's alone.
   */
  slices: z.array(HoldoutSlice).optional(),
});

/**
 * The symbols a search scores and how their metrics are combined: a study's data and a walk-forward's
 * (whose every train window is such a search) share them.
 */
const SearchSymbolsFields = {
  symbol: symbolSchema.optional(),
  /** Several symbols scored together (instead of `symbol`); the first is the study's main symbol. */
  symbols: z.array(symbolSchema).min(1).max(MAX_STUDY_SYMBOLS).optional(),
  /** Per-symbol weights for 'weighted' (each above 0; need not sum to 1). */
  symbolWeights: z.record(symbolSchema, z.number().gt(0, 'must be above 0').finite()).optional(),
  /** How per-symbol (per-timeframe) metrics are combined when several are scored. */
  aggregation: z.enum(SLICE_AGGREGATIONS).default('worst'),
};
/** A search's data names its symbols one way: `symbol` or `symbols`. */
const oneSymbolWay = (data: {
  symbol?: string | undefined;
  symbols?: readonly string[] | undefined;
}): boolean => (data.symbol === undefined) !== (data.symbols === undefined);
const ONE_SYMBOL_WAY = { message: 'give exactly one of symbol or symbols', path: ['symbol'] };

/**
 * The data a study is scored on: one symbol or several (`symbol` or `symbols`), at one timeframe or
 * several, every symbol at every timeframe scored together and combined by `aggregation`.
 */
const StudyCacheData = z
  .strictObject({
    /** Absent means the cache, as every request before files could be studied through the owner. */
    kind: z.literal('cache').optional(),
    ...SearchSymbolsFields,
    timeframes: z.array(timeframeSchema).min(1).max(TIMEFRAMES.length),
    /** Epoch ms, inclusive; absent: from the first cached bar. */
    start: epochMsSchema.optional(),
    /** Epoch ms, exclusive; absent: to the last cached bar. */
    end: epochMsSchema.optional(),
    /** Per-timeframe weights for 'weighted'. */
    weights: z.partialRecord(timeframeSchema, z.number().min(0).finite()).optional(),
    /** The session every timeframe's bars keep to, as in a backtest (regular hours unless extended). */
    session: sessionSchema.default('regular'),
    /** Bars at the end kept from the search, for the winner's out-of-sample check (none when absent). */
    holdout: HoldoutInput.optional(),
  })
  .refine(endAfterStart, END_AFTER_START)
  .refine(oneSymbolWay, ONE_SYMBOL_WAY);

/**
 * A study on a bars file (the CLI's `optimize --csv` beside a running app or server), read by the process
 * that runs the study. As with `data:import`'s path, that process is the same user on the same machine
 * (its token is in a discovery file only that user can read), so it reads nothing the user could not.
 * The file's bars are scored as they are read, or resampled to the timeframes given; no session applies.
 */
const StudyFileData = z
  .strictObject({
    kind: z.literal('file'),
    path: localPath(['.csv', '.parquet', '.pq']),
    /** Several files scored together, each its own symbol (`path` is then the first one's). */
    files: z
      .array(z.strictObject({ symbol: symbolSchema, path: localPath(['.csv', '.parquet', '.pq']) }))
      .min(2)
      .max(MAX_STUDY_SYMBOLS)
      .optional(),
    /** Per-symbol weights of several files for 'weighted'. */
    symbolWeights: z.record(z.string(), z.number().min(0).finite()).optional(),
    timeframes: z
      .array(z.union([timeframeSchema, z.literal(NATIVE_TIMEFRAME)]))
      .min(1)
      .max(TIMEFRAMES.length + 1),
    start: epochMsSchema.optional(),
    end: epochMsSchema.optional(),
    aggregation: z.enum(SLICE_AGGREGATIONS).default('worst'),
    weights: z.record(z.string(), z.number().min(0).finite()).optional(),
    holdout: HoldoutInput.optional(),
  })
  .refine(endAfterStart, END_AFTER_START);

export const StudyData = z.discriminatedUnion('kind', [StudyCacheData, StudyFileData]);

/**
 * What every search is asked with: a study, and each train window of a walk-forward analysis. Both
 * requests extend it, so their limits and defaults cannot drift apart.
 */
export const SearchRequestBase = z.strictObject({
  strategy: z.string().min(1),
  space: SpaceInput.optional(),
  /** Constraints like "fast<slow"; with no space, added to the strategy's own constraints. */
  constraints: z.array(z.string().min(3).max(200)).max(64).default([]),
  sampler: SamplerInput.default('tpe'),
  objectives: z.array(ObjectiveInput).min(1).max(8),
  /** Absent: 'single' for one objective, 'pareto' for several. */
  mode: z.enum(OBJECTIVE_MODES).optional(),
  /** Trials of the study (of each train window in a walk-forward analysis). */
  trials: z.number().int().positive().max(MAX_TRIALS),
  /** Absent: a random seed, returned (and stored with a study). */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional(),
  /** A trial with fewer trades cannot win. */
  minTrades: z.number().int().min(0).default(0),
  cash: cashSchema,
  /** Commission as a fraction of traded value (0.002 = 0.2%). */
  commission: z.number().min(0).max(0.1).default(0),
  /** Slippage in basis points of the fill price (the CLI's --slippage-bps); 0: none. */
  slippageBps: z.number().min(0).max(10_000).default(0),
  /** Never sell short. */
  longOnly: z.boolean().default(false),
  /** Close a position still open at the last bar, so it counts as a trade. */
  closeAtEnd: z.boolean().default(false),
  /** Fill orders at the signal bar's close instead of the next bar's open. */
  fillAt: z.enum(['next-open', 'close']).default('next-open'),
  /** Fees, spread and impact; a part left out takes the symbol's asset-class default (US equities: Alpaca's). */
  costs: costSettingsRequestSchema,
  /** Winner = centre of the most stable plateau rather than the raw peak. */
  preferPlateau: z.boolean().default(false),
  /** Annual risk-free rate in percent for Sharpe and Sortino; absent: the Settings' rate. */
  riskFreePercent: z.number().min(0).max(20, 'must be at most 20 (%)').optional(),
});

function modeNeedsObjectives(
  req: { mode?: (typeof OBJECTIVE_MODES)[number] | undefined; objectives: readonly unknown[] },
  ctx: z.RefinementCtx,
): void {
  if (req.mode === 'single' || req.mode === undefined) return;
  if (req.objectives.length < 2)
    ctx.addIssue({
      code: 'custom',
      path: ['mode'],
      message: `mode '${req.mode}' needs at least two objectives`,
    });
}

/** A study's name, as the list shows it: trimmed, never empty. */
export const StudyName = z
  .string()
  .trim()
  .min(1, 'a study name cannot be empty')
  .max(STUDY_NAME_MAX, `a study name is at most ${STUDY_NAME_MAX} characters`);
/** The trader's note on a study (why it was run, what was learned); '' for none. */
export const StudyNote = z
  .string()
  .trim()
  .max(STUDY_NOTE_MAX, `a study note is at most ${STUDY_NOTE_MAX} characters`);

export const OptimizeStartRequest = SearchRequestBase.extend({
  name: StudyName.optional(),
  note: StudyNote.optional(),
  data: StudyData,
  /** Also one parameter set per regime from the study's trials, once it completes (scored on its first timeframe). */
  perRegime: PerRegimeSettings.optional(),
}).superRefine(modeNeedsObjectives);

export const TrialStatus = z.enum(['running', 'complete', 'failed', 'pruned']);

export const TrialRow = z.object({
  number: z.number().int(),
  params: z.record(z.string(), ParamValue),
  status: TrialStatus,
  /** Objective values in objective order (magnitudes for absolute objectives); null unless complete. */
  values: z.array(metricValue).nullable(),
  /** Every metric of the backtest; multi-timeframe studies add `metric@timeframe` keys. */
  metrics: z.record(z.string(), metricValue),
  /**
   * Complete trials: passes the feasibility rules (infeasible trials cannot win): the minimum trade
   * count, and an account not wiped out (`wipedOut`).
   */
  feasible: z.boolean().nullable(),
  /**
   * A complete trial whose account was wiped out (final equity at or below 0: the run stopped there, its
   * objectives have no value and it ranks last); false for any other trial.
   */
  wipedOut: z.boolean(),
  /**
   * Where a wiped-out trial of a study of several slices lost its account: the slice labels (a symbol,
   * a timeframe, or `SYMBOL:timeframe`) whose final equity is at or below 0; empty otherwise.
   */
  wipedOutOn: z.array(z.string()),
  error: z.string().nullable(),
  seed: z.number(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
});

export const StudyState = z.enum(['running', 'paused', 'complete', 'cancelled', 'failed']);

export const StudySummary = z.object({
  id: StudyId,
  name: z.string(),
  /** The trader's note ('' for none). */
  note: z.string(),
  strategy: z.string(),
  /** The study's (first) symbol, or its file. */
  symbol: z.string(),
  /** Every symbol of a study of several, in order (absent for one). */
  symbols: z.array(z.string()).optional(),
  timeframes: z.array(timeframeSchema),
  /** The session its cached bars keep to; absent for a file, and for studies from before it was asked. */
  session: sessionSchema.optional(),
  sampler: z.enum(SAMPLER_KINDS),
  objectives: z.array(
    z.object({
      metric: z.string(),
      direction: z.enum(DIRECTIONS),
      weight: z.number().optional(),
    }),
  ),
  mode: z.enum(OBJECTIVE_MODES),
  seed: z.number(),
  /** 'paused': not running in this process and not finished (interrupted; can be resumed). */
  state: StudyState,
  trialsDone: z.number(),
  trialsTotal: z.number(),
  /** Best score so far (first objective in pareto mode); null before any feasible trial. */
  bestValue: metricValue,
  createdAt: z.number(),
  updatedAt: z.number(),
  /** A running study's Redis when lost or back (see the progress event's), for a client that opens it late. */
  connection: RedisConnectionNotice.optional(),
});

export const DeflatedSharpeStats = z.object({
  /** Trials the winner was selected from (complete, finite Sharpe). */
  trials: z.number(),
  /** The winner's annualized Sharpe ratio. */
  sharpe: metricValue,
  sharpeVariance: metricValue,
  /** Probability the winner's true Sharpe exceeds the best of that many lucky trials. */
  deflatedSharpe: metricValue,
});

export const PboStats = z.object({
  /** Probability of backtest overfitting (CSCV). */
  pbo: z.number(),
  probabilityOfLoss: z.number(),
  degradationSlope: metricValue,
  combinations: z.number(),
  /** Trials (columns) and periods (rows, daily returns) of the matrix. */
  trialsUsed: z.number(),
  periods: z.number(),
  partitions: z.number(),
  logits: z.array(metricValue),
});

export const SensitivityStats = z.object({
  /** The winner's score and the neighbourhood drops (one step of each parameter, up and down). */
  baseScore: metricValue,
  worstDrop: metricValue,
  meanDrop: metricValue,
  relativeWorstDrop: metricValue,
  perParam: z.array(
    z.object({ name: z.string(), down: metricValue, up: metricValue, worstDrop: metricValue }),
  ),
  /** Neighbours not among the trials run (not evaluated). */
  missing: z.number(),
});

export const PlateauStats = z.object({
  /** Trial numbers of the plateau centre and of the raw peak. */
  centre: z.number(),
  peak: z.number(),
  smoothed: metricValue,
  neighbours: z.number(),
  fellBackToPeak: z.boolean(),
});

export const OverfittingStats = z.object({
  deflatedSharpe: DeflatedSharpeStats,
  /** null with the reason in `notes` when PBO could not be computed (too few trials or periods). */
  pbo: PboStats.nullable(),
  sensitivity: SensitivityStats.nullable(),
  plateau: PlateauStats.nullable(),
  notes: z.array(z.string()),
});

/** The parameter set the trader approved for the live bot (one per study; approving again replaces it). */
export const Approval = z.object({
  params: z.record(z.string(), z.number()),
  approvedAt: z.number(),
});

export const StudyDetail = z.object({
  summary: StudySummary,
  /** The validated request the study was started with (space resolved to parameter objects). */
  config: z.object({
    space: z.array(SpaceParam),
    constraints: z.array(z.string()),
    sampler: z.object({ kind: z.enum(SAMPLER_KINDS), options: z.record(z.string(), z.number()) }),
    minTrades: z.number(),
    cash: z.number(),
    commission: z.number(),
    start: z.number().nullable(),
    end: z.number().nullable(),
    aggregation: z.enum(SLICE_AGGREGATIONS),
    /** Per-timeframe and per-symbol weights of a 'weighted' study (absent: equal). */
    weights: z.record(z.string(), z.number()).optional(),
    symbolWeights: z.record(z.string(), z.number()).optional(),
    /**
     * The slices every trial is scored on, in order: the key each one's metrics are kept under in a
     * trial's metrics (`metric@key`). One slice: [].
     */
    slices: z.array(z.object({ key: z.string(), symbol: z.string(), timeframe: z.string() })),
    preferPlateau: z.boolean(),
  }),
  /** A page of the trials in number order (see trialsPage; empty when `includeTrials` is false). */
  trials: z.array(TrialRow),
  /** Which trials `trials` holds: from `offset`, at most `limit`, out of `total` stored. */
  trialsPage: z.object({ offset: z.number(), limit: z.number(), total: z.number() }),
  /** The winner (the plateau centre when preferPlateau); null before any feasible trial. */
  best: TrialRow.nullable(),
  /** Trial numbers of the non-dominated feasible trials (several objectives), else []. */
  paretoFront: z.array(z.number()),
  hypervolume: metricValue,
  /** Computed when the study finishes; null while running or when it never finished. */
  overfitting: OverfittingStats.nullable(),
  approved: Approval.nullable(),
  /** A per-regime study's sets (null when the study was not started per regime). */
  perRegime: StudyRegimeSets.nullable(),
  /** The winner on the held-out bars; null without a holdout or before the study completes. */
  holdout: StudyHoldout.nullable(),
  /**
   * The trials' warm-up before the study's range (see studyWarmUpText): the space's longest warm-up and the
   * fewest bars a slice had before the range, in bars; null: inside the range (no start, or a study
   * stored before trials warmed up before it).
   */
  warmUp: z.object({ longest: z.number(), before: z.number() }).nullable(),
});

export const OptimizeStartResult = z.object({ studyId: StudyId, seed: z.number(), total: z.number() });
/** A complete study is not run again: `alreadyComplete` says so, and nothing about it changed. */
export const OptimizeResumeResult = OptimizeStartResult.extend({ alreadyComplete: z.boolean() });
export const StudyRef = z.strictObject({ studyId: StudyId });
/** One trial of a study, re-run as a full backtest with the study's own evaluation (data, costs, options). */
export const TrialRef = z.strictObject({ studyId: StudyId, trialNumber: z.number().int().min(0) });
export const OptimizeGetRequest = z.strictObject({
  studyId: StudyId,
  /** false: no trial at all (same as limit 0). */
  includeTrials: z.boolean().default(true),
  /** The first trial of the page, by position in number order. */
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(0).max(TRIALS_PAGE_LIMIT).default(1_000),
});
/** Parameter importance (fANOVA) of a study's complete trials that pass `filter`. */
export const OptimizeImportanceRequest = z.strictObject({
  studyId: StudyId,
  /** What is explained: an objective by its position, or the study's weighted score. */
  measure: z.union([z.literal('score'), z.number().int().min(0)]),
  filter: TrialFilter.default({ minTrades: null, maxDrawdown: null }),
});
export const OptimizeImportanceResult = z.object({
  studyId: StudyId,
  /** Every parameter, most important first; shares of the explained variance summing to 1. */
  params: z.array(z.object({ name: z.string(), importance: z.number(), spread: z.number() })),
  trialsUsed: z.number().int(),
  /** Why every importance is 0, when it is. */
  note: z.string().nullable(),
});
/** The winner's results one grid step down and up in each parameter (issue 15 item 8). */
export const OptimizeNeighbourhoodResult = z.object({
  studyId: StudyId,
  /** null with `note` when the study has no feasible trial. */
  winner: TrialRow.nullable(),
  neighbours: z.array(
    z.object({
      param: z.string(),
      direction: z.union([z.literal(-1), z.literal(1)]),
      value: ParamValue,
      /** The study's trial with these parameters; null when it was run for this request (not stored). */
      trialNumber: z.number().int().nullable(),
      status: TrialStatus,
      values: z.array(metricValue).nullable(),
      metrics: z.record(z.string(), metricValue),
      error: z.string().nullable(),
    }),
  ),
  note: z.string().nullable(),
});
/** Renames or annotates a study (running or not): what is given is replaced, what is absent kept. */
export const OptimizeAnnotateRequest = z
  .strictObject({ studyId: StudyId, name: StudyName.optional(), note: StudyNote.optional() })
  .refine((request) => request.name !== undefined || request.note !== undefined, {
    message: 'give a name, a note or both',
    path: ['name'],
  });
export const OptimizeDeleteResult = z.object({ studyId: StudyId, deleted: z.literal(true) });
export const OptimizeApproveRequest = z.strictObject({
  studyId: StudyId,
  /** Strategy parameters are numbers; they must fit the study's space. */
  params: z.record(paramName, z.number().finite()),
  /** The trial the set comes from, when it is one (checked against the study). */
  trialNumber: z.number().int().min(0).optional(),
});
export const OptimizeApproveResult = z.object({ studyId: StudyId, approved: Approval });

/**
 * A window length or step: a whole number of days or bars (days are cut where the market's day begins),
 * at least 1, at most 100,000 (274 years of days).
 */
const windowLength = z
  .number()
  .min(1, 'must be at least 1')
  .int('must be a whole number of days or bars')
  .max(100_000, 'must be at most 100,000');

export const WalkForwardWindowSettings = z.strictObject({
  mode: z.enum(['rolling', 'anchored']).default('rolling'),
  unit: z.enum(['days', 'bars']).default('days'),
  train: windowLength.default(365),
  test: windowLength.default(30),
  step: windowLength.default(7),
  /**
   * Days or bars (the unit's) taken from the end of each train window before its test window, or
   * 'warm-up': the strategy's longest warm-up over the space (core's warmupProbes), on the run's bars.
   * Absent: no gap (a run stores the gap it had, in units).
   */
  purge: z
    .union([
      z.number().int('must be a whole number of days or bars').min(0, 'must be 0 or more'),
      z.literal('warm-up'),
    ])
    .optional(),
});

export const WalkForwardRequest = SearchRequestBase.extend({
  jobId: jobIdSchema.optional(),
  data: z
    .strictObject({
      /** One symbol, or several whose windows are cut on their shared dates and scored together. */
      ...SearchSymbolsFields,
      timeframe: timeframeSchema,
      start: epochMsSchema.optional(),
      end: epochMsSchema.optional(),
      /** The session the bars keep to, as in a backtest. */
      session: sessionSchema.default('regular'),
    })
    .refine(endAfterStart, END_AFTER_START)
    .refine(oneSymbolWay, ONE_SYMBOL_WAY),
  windows: WalkForwardWindowSettings.default({
    mode: 'rolling',
    unit: 'days',
    train: 365,
    test: 30,
    step: 7,
  }),
}).superRefine(modeNeedsObjectives);

const rangeRow = z.object({ start: z.number(), end: z.number(), startTime: z.number(), endTime: z.number() });

/** One window of a walk-forward run: its bar ranges, the parameters its train part chose, both sides' metrics. */
export const WalkForwardWindowRow = z.object({
  index: z.number(),
  train: rangeRow,
  test: rangeRow,
  params: z.record(z.string(), ParamValue),
  inSample: z.record(z.string(), metricValue),
  outOfSample: z.record(z.string(), metricValue),
});

export const WalkForwardResult = z.object({
  jobId: jobIdSchema,
  /** The run its windows are stored under (what a compare pin names). */
  runId: z.string(),
  /** The seed the train windows' seeds derive from (random when the request gave none). */
  seed: z.number(),
  symbol: z.string(),
  /** The bars' timeframe ('native' for a file scored as it is). */
  timeframe: z.string(),
  /** The session the cached bars kept to (absent for a file, read as it is). */
  session: sessionSchema.optional(),
  strategy: z.string(),
  /**
   * A run of several symbols: each one's stitched out-of-sample equity and metrics (the windows' and the
   * run's figures are then the symbols' combined by the aggregation, each symbol's kept as `metric@SYM`).
   */
  symbols: z
    .array(
      z.object({
        symbol: z.string(),
        equity: z.object({ t: z.array(z.number()), value: z.array(z.number()) }),
        outOfSample: z.record(z.string(), metricValue),
      }),
    )
    .optional(),
  /**
   * A run of several symbols: how its figures combine the symbols' (the worst or the mean, by metric), in
   * words; read beside them, or the mean drawdown was taken for a portfolio's beside the worst Sharpe.
   */
  combination: z.string().optional(),
  /** The gap each train window ended before its test window; `warmupBars` when asked as 'warm-up'. */
  purge: z.object({
    length: z.number(),
    unit: z.enum(['days', 'bars']),
    warmupBars: z.number().nullable(),
  }),
  windows: z.array(WalkForwardWindowRow),
  /** The stitched out-of-sample equity, thinned for display (several symbols: equal capital in each). */
  equity: z.object({ t: z.array(z.number()), value: z.array(z.number()) }),
  /** The stitched in-sample equity (each winner on the train bars new to its window), thinned for display. */
  inSampleEquity: z.object({ t: z.array(z.number()), value: z.array(z.number()) }),
  outOfSample: z.record(z.string(), metricValue),
  inSampleMean: z.record(z.string(), metricValue),
  /** Annualized out-of-sample return over annualized in-sample return (null when undefined). */
  efficiency: metricValue,
  parameterPath: z.array(
    z.object({ window: z.number(), testStartTime: z.number(), params: z.record(z.string(), ParamValue) }),
  ),
  stability: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(['numeric', 'categorical']),
      /** Numeric: mean, std, coefficient of variation, std over the range; categorical: mode and its share. */
      mean: metricValue.optional(),
      std: metricValue.optional(),
      coefficientOfVariation: metricValue.optional(),
      normalizedStd: metricValue.optional(),
      mode: ParamValue.optional(),
      modeShare: z.number().optional(),
      changes: z.number(),
    }),
  ),
  /** What the trader should know about how the figures were obtained (fallbacks, skipped windows). */
  notes: z.array(z.string()),
  /** The stitched out-of-sample equity's tear sheet, against holding the symbol over the same bars. */
  tearSheet: TearSheetPayload,
  elapsedMs: z.number(),
});

export const OptimizeTrialEvent = z.object({ studyId: StudyId, trials: z.array(TrialRow) });

export const OptimizeProgressEvent = z.object({
  studyId: StudyId,
  state: StudyState,
  /** Finished trials (complete, failed or pruned) out of the study's total. */
  done: z.number(),
  total: z.number(),
  failed: z.number(),
  trialsPerSecond: z.number(),
  /** Seconds to finish at the current rate; null when unknown. */
  etaSeconds: z.number().nullable(),
  best: z
    .object({
      number: z.number(),
      params: z.record(z.string(), ParamValue),
      values: z.array(metricValue),
      score: metricValue,
    })
    .nullable(),
  error: z.string().optional(),
  /**
   * While the study computes on a Redis that was lost (it waits) or has come back since: sent with every
   * progress event from then on, and as an event of its own at the loss and at the return (no trial
   * finishes meanwhile, so nothing else would say why the count stopped).
   */
  connection: RedisConnectionNotice.optional(),
  /**
   * On the terminal event (complete, cancelled, failed): the study as stored when it stopped, winner and
   * overfitting report included, without trials (those came as optimize:trial events).
   */
  detail: StudyDetail.optional(),
});

/**
 * How far a walk-forward run has got (walkforward:run with its jobId): windows done, the window being
 * optimised and its trials, a rough time left, and the Redis notice while its trials compute there (a
 * run of one part: no phase). Sent at most every few hundred ms, at each window's start and end, at a
 * loss or return of Redis, and once more when the last window is done (windowsDone = windowsTotal).
 */
export const WalkForwardProgressEvent = RunProgressEvent;

export const optimizeContract = {
  requests: {
    'optimize:start': {
      input: OptimizeStartRequest,
      output: OptimizeStartResult,
      refused: 'Study not started',
    },
    'optimize:resume': { input: StudyRef, output: OptimizeResumeResult, refused: 'Study not resumed' },
    'optimize:list': {
      input: z.strictObject({}),
      output: z.array(StudySummary),
      refused: 'Studies not listed',
    },
    'optimize:get': { input: OptimizeGetRequest, output: StudyDetail, refused: 'Study not loaded' },
    'optimize:approve': {
      input: OptimizeApproveRequest,
      output: OptimizeApproveResult,
      refused: 'Trial not approved for live',
    },
    'optimize:delete': { input: StudyRef, output: OptimizeDeleteResult, refused: 'Study not deleted' },
    'optimize:annotate': {
      input: OptimizeAnnotateRequest,
      output: StudySummary,
      refused: 'Study note not saved',
    },
    'optimize:importance': {
      input: OptimizeImportanceRequest,
      output: OptimizeImportanceResult,
      refused: 'Parameter importance not computed',
    },
    'optimize:neighbourhood': {
      input: StudyRef,
      output: OptimizeNeighbourhoodResult,
      refused: 'Neighbourhood not computed',
    },
    'optimize:trial-backtest': { input: TrialRef, output: BacktestResult, refused: 'Trial backtest not run' },
    'walkforward:run': {
      input: WalkForwardRequest,
      output: z.union([WalkForwardResult, JobCancelled]),
      refused: 'Walk-forward not run',
    },
  },
  events: {
    'optimize:trial': OptimizeTrialEvent,
    'optimize:progress': OptimizeProgressEvent,
    'walkforward:progress': WalkForwardProgressEvent,
  },
} as const satisfies DomainContract<typeof OPTIMIZE_CHANNELS>;

export type OptimizeStartRequest = z.output<typeof OptimizeStartRequest>;
export type OptimizeStartInput = z.input<typeof OptimizeStartRequest>;
/** A study on cached bars, as the app's Optimize view asks for one. */
export type CachedStudyStartInput = OptimizeStartInput & { data: z.input<typeof StudyCacheData> };
/** The search fields optimize:start and walkforward:run share, as a caller writes them. */
export type SearchRequestInput = z.input<typeof SearchRequestBase>;
export type SpaceParam = z.output<typeof SpaceParam>;
export type ObjectiveInput = z.output<typeof ObjectiveInput>;
export type SamplerInput = z.output<typeof SamplerInput>;
export type TrialRow = z.output<typeof TrialRow>;
export type StudySummary = z.output<typeof StudySummary>;
export type StudyDetail = z.output<typeof StudyDetail>;
export type HoldoutInput = z.output<typeof HoldoutInput>;
export type StudyHoldout = z.output<typeof StudyHoldout>;
export type HoldoutSlice = z.output<typeof HoldoutSlice>;
export type StudyState = z.output<typeof StudyState>;
export type OverfittingStats = z.output<typeof OverfittingStats>;
export type OptimizeImportanceRequest = z.output<typeof OptimizeImportanceRequest>;
export type OptimizeImportanceResult = z.output<typeof OptimizeImportanceResult>;
export type OptimizeNeighbourhoodResult = z.output<typeof OptimizeNeighbourhoodResult>;
export type WalkForwardRequest = z.output<typeof WalkForwardRequest>;
export type WalkForwardInput = z.input<typeof WalkForwardRequest>;
export type WalkForwardResult = z.output<typeof WalkForwardResult>;
export type OptimizeProgressEvent = z.output<typeof OptimizeProgressEvent>;
export type OptimizeTrialEvent = z.output<typeof OptimizeTrialEvent>;
export type WalkForwardProgressEvent = z.output<typeof WalkForwardProgressEvent>;
export type OptimizeApproveRequest = z.output<typeof OptimizeApproveRequest>;
export type Approval = z.output<typeof Approval>;
export type OptimizeStartResult = z.output<typeof OptimizeStartResult>;
export type OptimizeResumeResult = z.output<typeof OptimizeResumeResult>;
export type OptimizeGetRequest = z.output<typeof OptimizeGetRequest>;
export type OptimizeAnnotateRequest = z.output<typeof OptimizeAnnotateRequest>;
export type WalkForwardWindowRow = z.output<typeof WalkForwardWindowRow>;
