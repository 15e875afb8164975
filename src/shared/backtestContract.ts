/**
 * Strategies and single backtests (their names: backtestChannels.ts).
 */
import { z } from 'zod';
import type { BACKTEST_CHANNELS } from './backtestChannels.ts';
import { costSettingsRequestSchema, costSettingsSchema, costStressRowSchema } from './costs.ts';
import type { DomainContract } from './domain.ts';
import {
  cashSchema,
  END_AFTER_START,
  endAfterStart,
  epochMsSchema,
  jobIdSchema,
  metricValue,
  paramConstraintSchema,
  sessionSchema,
  symbolSchema,
  timeframeSchema,
} from './schemas.ts';

export const ParamSpec = z.object({
  name: z.string(),
  type: z.enum(['int', 'float']),
  /** The default search range. */
  min: z.number(),
  max: z.number(),
  /** What any backtest accepts (wider than the search range). */
  limits: z.object({ min: z.number(), max: z.number() }),
  step: z.number().optional(),
  default: z.number(),
  description: z.string(),
  /** A live ramp moves it step by step between the old and the new set (see core ParamSpec). */
  interpolable: z.boolean().optional(),
});

export const StrategyInfo = z.object({
  name: z.string(),
  /** The definition's version: with the name and parameters, the StrategyRef a worker or bot resolves. */
  version: z.string(),
  description: z.string(),
  params: z.array(ParamSpec),
  /** Rules between parameters (a valid set has left < right), so forms can check them before a run. */
  constraints: z.array(paramConstraintSchema),
  /** A user strategy's file in the data folder (strategies/NAME.ts); absent for a built-in. */
  file: z.string().optional(),
});

/** A strategy file of the data folder that was left out, and why (shared/userStrategy's StrategyProblem). */
export const StrategyProblemSchema = z.object({
  file: z.string(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  message: z.string(),
});

/** What a reload of the strategy files found (`strategies:reload`'s answer, `strategies:changed`'s push). */
export const StrategiesState = z.object({
  strategies: z.array(StrategyInfo),
  problems: z.array(StrategyProblemSchema),
});

export const BacktestRequest = z
  .strictObject({
    jobId: jobIdSchema.optional(),
    symbol: symbolSchema,
    timeframe: timeframeSchema,
    strategy: z.string().min(1),
    params: z.record(z.string(), z.number().finite()),
    cash: cashSchema,
    commission: z.number().min(0).max(0.1).default(0),
    /** Fees, spread and impact; a part left out takes the symbol's asset-class default (US equities: Alpaca's). */
    costs: costSettingsRequestSchema,
    /**
     * A fixed slippage on every fill (bp) on top of the costs, as `regimen backtest --slippage-bps`: a
     * pinned backtest (`regimen compare add`) pays what the run it is compared with paid.
     */
    slippageBps: z.number().min(0).max(1_000, 'must be at most 1,000 bp').optional(),
    /** The tear sheet's benchmark: another cached symbol held over the same bars (absent: this one). */
    benchmark: symbolSchema.optional(),
    /** Annual risk-free rate in percent for Sharpe and Sortino; absent: the Settings' rate. */
    riskFreePercent: z.number().min(0).max(20, 'must be at most 20 (%)').optional(),
    /** Close a position still open after the last bar (at its close) so it counts as a closed trade. */
    closeAtEnd: z.boolean().default(false),
    start: epochMsSchema.optional(),
    end: epochMsSchema.optional(),
    session: sessionSchema.optional(),
  })
  .refine(endAfterStart, END_AFTER_START);

/** A trade of a backtest; the last may be the position still open (exitReason OPEN_TRADE_REASON). */
export const TradeRow = z.object({
  entryTime: z.number(),
  exitTime: z.number(),
  entryPrice: z.number(),
  exitPrice: z.number(),
  size: z.number(),
  pnl: z.number(),
  returnPct: z.number(),
  exitReason: z.string(),
  /** The stop-loss and take-profit in force when the position opened (null: none). */
  stopLoss: z.number().nullable(),
  takeProfit: z.number().nullable(),
  /** Why the entry fired, as the strategy recorded it: the signals that confirmed, its confidence score. */
  signals: z.array(z.string()),
  confidence: z.number().nullable(),
});

/** Most points an indicator series carries: a long 1-minute backtest is thinned to this for display. */
export const MAX_INDICATOR_POINTS = 5_000;

/**
 * The strategy's own indicator series (core's IndicatorPlot) at the bars `t` (every bar, or every k-th
 * of a longer run: at most MAX_INDICATOR_POINTS), warm-up values as null.
 */
export const IndicatorsPayload = z.object({
  t: z.array(z.number()),
  plots: z.array(
    z.object({
      label: z.string(),
      /** 'price' overlays the bars; another name is a pane of its own. */
      pane: z.string(),
      style: z.enum(['line', 'histogram']),
      values: z.array(metricValue),
      levels: z.array(z.number()),
    }),
  ),
});

const series = z.array(metricValue);
const periodReturn = z.object({
  year: z.number(),
  month: z.number().optional(),
  value: metricValue,
  benchmark: metricValue,
});

/** core/metrics/tearSheet's TearSheet as data (undefined numbers as null), with what it compares to. */
export const TearSheetPayload = z.object({
  /** The benchmark's name (a symbol held from the first bar), null without one. */
  benchmark: z.string().nullable(),
  time: z.array(z.number()),
  returns: series,
  cumulative: series,
  benchmarkCumulative: series.nullable(),
  drawdown: series,
  monthly: z.array(periodReturn),
  yearly: z.array(periodReturn),
  rollingWindow: z.number(),
  rollingSharpe: series,
  rollingVolatility: series,
  drawdowns: z.array(
    z.object({
      start: z.number(),
      trough: z.number(),
      end: z.number(),
      recovery: z.number().nullable(),
      depth: z.number(),
      days: z.number(),
    }),
  ),
  distribution: z.object({
    edges: series,
    counts: z.array(z.number()),
    mean: metricValue,
    std: metricValue,
    skew: metricValue,
    kurtosis: metricValue,
  }),
});

export const BacktestResult = z.object({
  symbol: z.string(),
  timeframe: timeframeSchema,
  strategy: z.string(),
  params: z.record(z.string(), z.number()),
  bars: z.number(),
  metrics: z.record(z.string(), metricValue),
  /** The equity curve, thinned for display (every bar's value is kept inside the engine). */
  equity: z.object({ t: z.array(z.number()), value: z.array(z.number()), drawdown: z.array(z.number()) }),
  trades: z.array(TradeRow),
  indicators: IndicatorsPayload,
  /**
   * The bars the run covered: first and last bar time, and the first bar the strategy could trade. A run
   * reads the bars before its start to warm the strategy's indicators, so it trades from `first`; when
   * there were too few, the first bars of the range warm them: `warmup` counts them and says whether it
   * traded at all (shared/warmupText.ts says so in a sentence, its time in the reader's zone).
   */
  range: z
    .object({
      first: z.number(),
      tradingFrom: z.number(),
      last: z.number(),
      warmup: z.object({ bars: z.number().int().nonnegative(), traded: z.boolean() }).optional(),
    })
    .nullable(),
  /**
   * The time of the bar whose close found the equity at or below 0: the run closed every position there
   * and stopped, as backtesting.py's does (null: the account was never wiped out).
   */
  wipedOutAt: z.number().nullable(),
  /**
   * Margin interest and stock borrow fees the run paid, in account currency (part of its trades' profit
   * and of its equity); a result stored before runs were financed paid none.
   */
  financingPaid: z.number().default(0),
  /** The cost settings the run used (the request's, or the asset-class default). */
  costs: costSettingsSchema,
  /** The same run with 0, 10 and 25 bp more cost on every fill. */
  costStress: z.array(costStressRowSchema),
  tearSheet: TearSheetPayload,
  elapsedMs: z.number(),
});

/** Each resample keeps a whole path of n + 1 equities for the pointwise bands, so these bound memory. */
const MAX_ROBUSTNESS_RESAMPLES = 20_000;
const MAX_ROBUSTNESS_RETURNS = 100_000;
const fraction = (what: string) =>
  z.number().gt(0, `must be a fraction in (0, 1) (${what})`).lt(1, `must be a fraction in (0, 1) (${what})`);

/**
 * Monte Carlo of a result (core/robustness): its closed trades' returns on equity shuffled, or its period
 * returns block-bootstrapped. The caller sends the returns, so any backtest result (or other) can be asked.
 */
export const RobustnessRequest = z
  .strictObject({
    method: z.enum(['trade-shuffle', 'block-bootstrap']),
    /** Fractions (0.01 = +1%); below -1 would lose more than everything. */
    returns: z
      .array(z.number().finite().min(-1, 'must be a return >= -1 (a loss of at most 100%)'))
      .min(2, 'needs at least two returns')
      .max(MAX_ROBUSTNESS_RETURNS),
    resamples: z.number().int().min(1).max(MAX_ROBUSTNESS_RESAMPLES).default(1000),
    /** Mean block length of the bootstrap, in periods (absent: n^(1/3)); not for trade shuffles. */
    blockLength: z.number().int().min(1).optional(),
    drawdownDepth: fraction('of the running peak').default(0.2),
    ruinFloor: fraction('of the starting equity').default(0.5),
    seed: z.number().int().default(1),
  })
  .superRefine((request, ctx) => {
    if (request.blockLength === undefined) return;
    if (request.method === 'trade-shuffle')
      ctx.addIssue({ code: 'custom', path: ['blockLength'], message: 'applies to block-bootstrap only' });
    else if (request.blockLength > request.returns.length)
      ctx.addIssue({
        code: 'custom',
        path: ['blockLength'],
        message: `must be at most the number of returns (${request.returns.length})`,
      });
  });

/** core/robustness's RobustnessResult as data (bands as plain arrays). */
export const RobustnessResultSchema = z.object({
  method: z.enum(['trade-shuffle', 'block-bootstrap']),
  resamples: z.number(),
  seed: z.number(),
  percentiles: z.array(z.number()),
  /** One equity path (starting at 1) per percentile. */
  equityBands: z.array(z.array(z.number())),
  /**
   * One drawdown path per percentile, step by step from 0: signed as maxDrawdown (-0.2 = 20 % below the
   * running peak), band b the percentiles[b]-th percentile worst (p95 the most negative).
   */
  drawdownBands: z.array(z.array(z.number())),
  /** The maximum drawdown at each percentile, signed and read from the worst tail as drawdownBands. */
  maxDrawdownBands: z.array(z.number()),
  /** Share of resamples whose maximum drawdown is deeper than drawdownDepth (a positive fraction). */
  probDrawdownBeyond: z.number(),
  probRuin: z.number(),
  drawdownDepth: z.number(),
  ruinFloor: z.number(),
  blockLength: z.number().optional(),
});

export const backtestContract = {
  requests: {
    'strategies:list': {
      input: z.strictObject({}),
      output: z.array(StrategyInfo),
      refused: 'Strategies not listed',
    },
    'strategies:problems': {
      input: z.strictObject({}),
      output: z.array(StrategyProblemSchema),
      refused: 'Strategy problems not read',
    },
    'strategies:reload': {
      input: z.strictObject({}),
      output: StrategiesState,
      refused: 'Strategies not reloaded',
    },
    'backtest:run': { input: BacktestRequest, output: BacktestResult, refused: 'Backtest not run' },
    'backtest:robustness': {
      input: RobustnessRequest,
      output: RobustnessResultSchema,
      refused: 'Robustness check not run',
    },
  },
  events: { 'strategies:changed': StrategiesState },
} as const satisfies DomainContract<typeof BACKTEST_CHANNELS>;

export type BacktestRequest = z.output<typeof BacktestRequest>;
export type BacktestResult = z.output<typeof BacktestResult>;
export type StrategyInfo = z.output<typeof StrategyInfo>;
export type TearSheetPayload = z.output<typeof TearSheetPayload>;
export type TradeRow = z.output<typeof TradeRow>;
export type IndicatorsPayload = z.output<typeof IndicatorsPayload>;
export type RobustnessInput = z.output<typeof RobustnessRequest>;
export type RobustnessPayload = z.output<typeof RobustnessResultSchema>;
