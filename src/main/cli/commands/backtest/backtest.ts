import { TIMEFRAMES, type Bars } from '../../../../core/data/bars.ts';
import {
  commissionText,
  costsText,
  cryptoFeeTiersText,
  financingPaidText,
} from '../../../../shared/costsText.ts';
import {
  ALPACA_CRYPTO_FEE_TIERS,
  COST_STRESS_BPS,
  costOptions,
  CRYPTO_COSTS,
  FEE_SCHEDULES,
  FX_COSTS,
  isCryptoFeeTier,
  SHORT_SALES,
  UNIT_RULES,
  isFeeSchedule,
  NO_COSTS,
  US_EQUITY_COSTS,
  COST_NUMBER_BOUNDS,
  costMaxText,
  type BacktestOptions,
  type CostNumberPart,
  type CostSettings,
} from '../../../../core/engine/index.ts';
import {
  costSettingsFor,
  resolveCosts,
  type BacktestTerms,
  type CostRequest,
} from '../../../services/costs.ts';
import {
  COMMISSION_UNIT,
  commissionRateFromPercent,
  commissionWarning,
  MAX_COMMISSION_PERCENT,
  PLAUSIBLE_COMMISSION_PERCENT,
} from '../../../../shared/commission.ts';
import { strategyRef, validateParams, withDefaults } from '../../../../core/strategy/index.ts';
import { getStrategyOrThrow } from '../../../services/backtest/strategyCatalog.ts';
import { localExecutor } from '../../../compute/inProcess.ts';
import type { TradeOut } from '../../../compute/tasks.ts';
import { OPEN_TRADE_REASON } from '../../../../shared/tradeRows.ts';
import {
  keyValueNumbers,
  listOption,
  numberOption,
  stringOption,
  UsageError,
  type ParsedArgs,
} from '../../args.ts';
import { BARS_SOURCE_OPTIONS, barsSourceFrom, loadWarmedBarsSource } from '../../barsSource.ts';
import type { Command, CommandIO } from '../../command.ts';
import { OUT_OPTIONS, outTarget, writeOut } from '../../outFile.ts';
import { finiteOrNull } from '../../../services/payloads.ts';
import { backtestRange } from '../../../services/backtest/indicatorPayload.ts';
import { backtestTearSheet } from '../../../services/tearSheet.ts';
import { tradesCsv } from '../../../../shared/exportCsv.ts';
import { tearSheetHtml } from '../../../../shared/tearSheetHtml.ts';
import type { TimeFormat } from '../../../../shared/timeZone.ts';
import { warmupText } from '../../../../shared/warmupText.ts';
import { wipedOutText } from '../../../../shared/wipedOutText.ts';
import { formatDecimal, formatMetric, metricLabel, table, timeFormatFrom, toJson } from '../../format.ts';

const HEADLINE = [
  'finalEquity',
  'totalReturn',
  'annualizedReturn',
  'sharpeRatio',
  'sortinoRatio',
  'calmarRatio',
  'maxDrawdown',
  'volatility',
  'numTrades',
  'winRate',
  'profitFactor',
  'exposure',
] as const;

const STRESS_METRICS = ['finalEquity', 'totalReturn', 'sharpeRatio', 'maxDrawdown'] as const;

/**
 * `--commission` as the engine's rate. The flag is in percent of traded value per fill, as the app's
 * field is (`--commission 0.1` is 0.1 %); a rate above a plausible one runs, with a warning on stderr.
 */
export function commissionRateOption(args: ParsedArgs, io: CommandIO): number {
  const percent = numberOption(args, 'commission', 0);
  if (!(percent >= 0 && percent <= MAX_COMMISSION_PERCENT))
    throw new UsageError(
      `--commission is in ${COMMISSION_UNIT}, between 0 and ${MAX_COMMISSION_PERCENT}, got ${percent}`,
    );
  const warning = commissionWarning(percent);
  if (warning !== null) io.err(`warning: --${warning}\n`);
  return commissionRateFromPercent(percent);
}

/**
 * The timeframe the trade times are printed at: a file's bars carry none, and only whether they are day
 * bars or finer matters (day bars print their session date alone).
 */
function printedTimeframe(t: ArrayLike<number>): string {
  const gaps: number[] = [];
  for (let i = 1; i < Math.min(t.length, 51); i++) gaps.push((t[i] ?? 0) - (t[i - 1] ?? 0));
  gaps.sort((a, b) => a - b);
  const typical = gaps[gaps.length >> 1] ?? 0;
  return typical >= 20 * 3_600_000 ? '1d' : '1m';
}

/** Every trade, the position still open at the end last (marked to the last close). */
function tradeTable(trades: readonly TradeOut[], time: TimeFormat, timeframe: string): string {
  if (trades.length === 0) return 'Trades: none.';
  const open = trades.filter((t) => t.exitReason === OPEN_TRADE_REASON).length;
  const heading = `Trades: ${trades.length - open} closed${open > 0 ? `, ${open} still open (marked to the last close)` : ''}`;
  return `${heading}\n${table([
    [
      '#',
      'side',
      `entry (${time.zone})`,
      'entry price',
      `exit (${time.zone})`,
      'exit price',
      'size',
      'P&L',
      'return',
      'exit',
    ],
    ...trades.map((t, i) => [
      String(i + 1),
      t.size >= 0 ? 'long' : 'short',
      time.barTime(t.entryTime, timeframe),
      formatDecimal(t.entryPrice, 4),
      time.barTime(t.exitTime, timeframe),
      formatDecimal(t.exitPrice, 4),
      formatDecimal(Math.abs(t.size), 4),
      formatDecimal(t.pnl, 2),
      `${(t.returnPct * 100).toFixed(2)}%`,
      t.exitReason === OPEN_TRADE_REASON ? 'open' : t.exitReason,
    ]),
  ])}`;
}

/** Engine options but costs from the flags shared by backtest, optimize and walk-forward. */
export function accountOptionsFrom(
  args: ParsedArgs,
): Omit<BacktestOptions, 'commission' | 'slippage' | 'financing'> & { readonly cash: number } {
  const cash = numberOption(args, 'cash', 10_000);
  if (!(cash > 0)) throw new UsageError(`--cash must be positive, got ${cash}`);
  return {
    cash,
    longOnly: Boolean(args.values['long-only']),
    closeAtEnd: Boolean(args.values['close-at-end']),
    ...(args.values['fill-at-close'] ? { fillAt: 'close' as const } : {}),
  };
}

/** --risk-free PCT (backtest, optimize, walk-forward; the settings' rate fills it when absent), else 0. */
export function riskFreePercentFrom(args: ParsedArgs): number {
  const percent = numberOption(args, 'risk-free', 0);
  if (!(percent >= 0 && percent <= 20))
    throw new UsageError(`--risk-free must be between 0 and 20 (%), got ${percent}`);
  return percent;
}

/**
 * The cost flags: `--costs none` for no cost beyond --commission (the results of runs before costs had
 * defaults), else the asset class's default with `--fees SCHEDULE`, `--spread-bps`, `--impact`,
 * `--borrow-rate`, `--crypto-fee-tier`, `--short-sales` and `--units` each replacing one part of it;
 * `--slippage-bps` adds a fixed slippage on every fill on top.
 */
export function costRequestFrom(args: ParsedArgs, io: CommandIO): CostRequest {
  const commissionRate = commissionRateOption(args, io);
  const extraBps = numberOption(args, 'slippage-bps', 0);
  if (!(extraBps >= 0)) throw new UsageError(`--slippage-bps must be >= 0, got ${extraBps}`);
  const mode = stringOption(args, 'costs') ?? 'default';
  if (mode !== 'default' && mode !== 'none')
    throw new UsageError(`--costs must be default or none, got "${mode}"`);
  const settings: { -readonly [K in keyof CostSettings]?: CostSettings[K] } =
    mode === 'none' ? { ...NO_COSTS } : {};
  // --costs none drops what a run pays, not what the account may do: short sales and units stay the
  // asset class's.
  delete settings.shortSales;
  delete settings.units;
  const fees = stringOption(args, 'fees');
  if (fees !== undefined) {
    if (!isFeeSchedule(fees))
      throw new UsageError(`--fees must be ${FEE_SCHEDULES.join(', ')}, got "${fees}"`);
    settings.fees = fees;
  }
  const flags = { 'spread-bps': 'spreadBps', impact: 'impact', 'borrow-rate': 'borrowPercent' } as const;
  for (const [flag, part] of Object.entries(flags)) {
    const value = costNumberOption(args, flag, part);
    if (value !== undefined) settings[part] = value;
  }
  const tier = stringOption(args, 'crypto-fee-tier');
  if (tier !== undefined) {
    const number = Number(tier);
    if (!isCryptoFeeTier(number))
      throw new UsageError(
        `--crypto-fee-tier must be a whole number from 1 to ${ALPACA_CRYPTO_FEE_TIERS.length}, got "${tier}"`,
      );
    settings.cryptoFeeTier = number;
  }
  const shorts = choiceOption(args, 'short-sales', SHORT_SALES);
  if (shorts !== undefined) settings.shortSales = shorts;
  const units = choiceOption(args, 'units', UNIT_RULES);
  if (units !== undefined) settings.units = units;
  return { commissionRate, settings, extraBps };
}

/** `--FLAG` as one of `choices`, checked; undefined without it (the asset class decides). */
function choiceOption<T extends string>(
  args: ParsedArgs,
  flag: string,
  choices: readonly T[],
): T | undefined {
  const text = stringOption(args, flag);
  if (text !== undefined && !(choices as readonly string[]).includes(text))
    throw new UsageError(`--${flag} must be ${choices.join(' or ')}, got "${text}"`);
  return text as T | undefined;
}

/**
 * A numeric cost flag in its range (COST_NUMBER_BOUNDS), undefined when not given; the borrow rate, a
 * percent, may be typed with its sign ("0.3%").
 */
function costNumberOption(args: ParsedArgs, flag: string, part: CostNumberPart): number | undefined {
  const text = stringOption(args, flag);
  if (text === undefined) return undefined;
  const value = Number(part === 'borrowPercent' && text.endsWith('%') ? text.slice(0, -1) : text);
  if (text.trim() === '' || !(value >= 0 && value <= COST_NUMBER_BOUNDS[part].max))
    throw new UsageError(`--${flag} must be between 0 and ${costMaxText(part)}, got "${text}"`);
  return value;
}

/**
 * What a backtest of `bars` from these flags runs with: the account (cash, sizing) with its cost models,
 * the cost settings and commission rate they came from, and the annual risk-free rate its Sharpe ratios
 * are over. `scorecard` and `learner` take a backtest's flags (filled from the folder's settings) through it.
 */
export async function backtestTermsFrom(args: ParsedArgs, io: CommandIO, bars: Bars): Promise<BacktestTerms> {
  const costRequest = costRequestFrom(args, io);
  const account = accountOptionsFrom(args);
  const riskFreeRate = riskFreePercentFrom(args) / 100;
  // As `regimen backtest` charges the same bars: a cached symbol's class judged from its timestamps.
  const { models, settings } = await resolveCosts(costRequest, barsSourceFrom(args), null, bars.t);
  return {
    account: { ...account, ...models },
    riskFreeRate,
    commissionRate: costRequest.commissionRate,
    costs: settings,
  };
}

/** The usage line that says what --commission's number means (backtest, optimize, walk-forward). */
export const COMMISSION_HELP =
  `\n        --commission PCT: ${COMMISSION_UNIT} (0.1 means 0.1 %), warned above ${PLAUSIBLE_COMMISSION_PERCENT} %` +
  `\n        costs default to the asset class (US equities: ${costsText(US_EQUITY_COSTS)}; FX: ${costsText(FX_COSTS)};` +
  ` crypto: ${costsText(CRYPTO_COSTS)});` +
  `\n        --costs none drops them, --fees ${FEE_SCHEDULES.join('|')}, --spread-bps BPS and --impact X replace one part` +
  `\n        --borrow-rate PCT: the stock borrow fee, annual % of a short's value held overnight, by the day over` +
  `\n        360 (none by default: set the rate your broker charges for the stock)` +
  `\n        --crypto-fee-tier N: Alpaca's crypto fee tier by 30-day volume (${cryptoFeeTiersText()})` +
  `\n        --short-sales allowed|none: whether a short can be sold (none: long only, crypto's default, as Alpaca` +
  `\n        lends no crypto; --long-only says the same for one run whatever the setting)` +
  `\n        --units whole|fractional: what an order may be for (crypto's default fractional, as Alpaca trades it)`;

/** The flags costRequestFrom reads: a backtest's costs, wherever one is described (compare add too). */
export const COST_OPTIONS = {
  commission: { type: 'string' },
  'slippage-bps': { type: 'string' },
  costs: { type: 'string' },
  fees: { type: 'string' },
  'spread-bps': { type: 'string' },
  impact: { type: 'string' },
  'borrow-rate': { type: 'string' },
  'crypto-fee-tier': { type: 'string' },
  'short-sales': { type: 'string' },
  units: { type: 'string' },
} as const;

/** The account flags of BACKTEST_OPTIONS as a usage line shows them. */
export const ACCOUNT_USAGE = '[--cash 10000] [--long-only] [--close-at-end] [--fill-at-close]';

/** The cost flags as a usage line shows them. */
export const COST_USAGE = `[--commission PCT] [--slippage-bps BPS] [--costs default|none] [--fees ${FEE_SCHEDULES.join('|')}] [--spread-bps BPS] [--impact X] [--borrow-rate PCT] [--crypto-fee-tier N] [--short-sales allowed|none] [--units whole|fractional]`;

export const BACKTEST_OPTIONS = {
  ...BARS_SOURCE_OPTIONS,
  strategy: { type: 'string' },
  cash: { type: 'string' },
  ...COST_OPTIONS,
  'long-only': { type: 'boolean' },
  'close-at-end': { type: 'boolean' },
  'fill-at-close': { type: 'boolean' },
} as const;

export const backtestCommand: Command = {
  usage:
    `(--csv FILE | --symbol SYM [--session regular|extended]) [--timeframe ${TIMEFRAMES.join('|')}] --strategy NAME\n` +
    '        [--param name=value ...] [--start ISO] [--end ISO] [--tz ZONE] [--json]\n' +
    `        ${ACCOUNT_USAGE}\n` +
    `        ${COST_USAGE}\n` +
    "        [--risk-free PCT: annual rate Sharpe and Sortino are measured against, default the settings' or 0]\n" +
    '        [--out FILE.html|FILE.csv [--overwrite]]: the tear sheet (HTML) or the trades (CSV)' +
    COMMISSION_HELP,
  options: {
    ...BACKTEST_OPTIONS,
    ...OUT_OPTIONS,
    param: { type: 'string', multiple: true },
    'risk-free': { type: 'string' },
  },
  async run(args, io) {
    const strategyName = stringOption(args, 'strategy');
    if (strategyName === undefined) throw new UsageError('--strategy is required');
    // Refused as a usage error (exit 2) naming --strategy, as optimize and walk-forward do.
    const definition = getStrategyOrThrow(strategyName);
    const time = timeFormatFrom(args);
    const params = withDefaults(definition, keyValueNumbers(listOption(args, 'param'), 'param'));
    // A set the strategy refuses is a bad --param: exit 2 with the usage, as a malformed one is, and
    // before any bar is read (the worker refused it with exit 1).
    try {
      validateParams(definition, params);
    } catch (error) {
      throw new UsageError(`--param: ${error instanceof Error ? error.message : String(error)}`);
    }
    const costRequest = costRequestFrom(args, io);
    const out = outTarget(args, ['html', 'csv']);
    const account = accountOptionsFrom(args);
    const riskFreePercent = riskFreePercentFrom(args);
    const strategy = strategyRef(definition, params);
    const executor = localExecutor(strategyName);
    const { source, from, costs, stress } = await (async () => {
      // From --start, with the bars before it the strategy's warm-up takes, as the app's backtest.
      const { dataset: source, from } = await loadWarmedBarsSource(
        args,
        io,
        async (dataset) =>
          (await executor.run({ kind: 'strategy-start', dataset, strategy, options: account })).startIndex,
      );
      // The CLI reads a cached symbol through the folder's owner, without the repository: the class is
      // judged from the bars' timestamps, as the repository does for a symbol imported without one.
      const costs = await costSettingsFor(costRequest.settings, barsSourceFrom(args), null, source.bars.t);
      const run = (stressBps: number) =>
        executor.run({
          kind: 'backtest',
          dataset: { id: source.id, bars: source.bars },
          strategy,
          options: {
            ...account,
            ...costOptions(costRequest.commissionRate, costs, (costRequest.extraBps ?? 0) + stressBps),
            tradeFrom: from,
          },
          riskFreeRate: riskFreePercent / 100,
          ...(stressBps === 0 ? { plots: true } : {}),
        });
      const stress = await Promise.all(COST_STRESS_BPS.map(async (bps) => ({ bps, output: await run(bps) })));
      return { source, from, costs, stress };
    })().finally(() => executor.close());
    const output = stress[0]!.output;
    // The worker's output is over the bars from the start on (see BacktestOutput).
    const bars = { t: source.bars.t.subarray(from), c: source.bars.c.subarray(from) };
    const timeframe = printedTimeframe(source.bars.t);
    const run = backtestRange(bars.t, output.plots!);
    // The sentence in place of the counts, in --json too: the CLI names the bar as its tables do (--tz).
    const range =
      run?.warmup === undefined
        ? run
        : {
            ...run,
            warmup: warmupText(run.warmup, `${time.barTime(run.tradingFrom, timeframe)} ${time.zone}`),
          };
    const costStress = stress.map(({ bps, output: { metrics } }) => ({
      bps,
      finalEquity: finiteOrNull(metrics.finalEquity),
      totalReturn: finiteOrNull(metrics.totalReturn),
      sharpeRatio: finiteOrNull(metrics.sharpeRatio),
      maxDrawdown: finiteOrNull(metrics.maxDrawdown),
    }));
    const slippageBps = costRequest.extraBps ?? 0;
    const financing = financingPaidText(output.financingPaid);
    const paidText =
      `${commissionText(costRequest.commissionRate)}` +
      `${slippageBps > 0 ? `, slippage ${slippageBps} bp a fill` : ''}, costs: ${costsText(costs)}` +
      `${financing === '' ? '' : `; ${financing} (in the trades' profit)`}`;
    const paramText = Object.entries(params)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const wipedOutAt =
      output.wipedOutAt === null ? null : `${time.barTime(output.wipedOutAt, timeframe)} ${time.zone}`;
    if (out !== null) {
      const text =
        out.format === 'csv'
          ? tradesCsv(output.trades)
          : tearSheetHtml({
              title: `${strategyName} on ${source.label}`,
              subtitle: `${paramText} · ${bars.t.length.toLocaleString('en-US')} bars · cash ${account.cash} · ${paidText}`,
              ...(wipedOutAt === null ? {} : { notice: wipedOutText(wipedOutAt) }),
              metrics: Object.fromEntries(
                Object.entries(output.metrics).map(([k, v]) => [k, finiteOrNull(v)]),
              ),
              sheet: backtestTearSheet(
                bars.t,
                output.equity,
                account.cash ?? 10_000,
                { label: `${source.label} buy & hold`, values: bars.c },
                riskFreePercent / 100,
              ),
              costStress,
            });
      await writeOut(out, text);
      io.err(`wrote ${out.format === 'csv' ? 'the trades' : 'the tear sheet'} to ${out.path}\n`);
    }
    if (wipedOutAt !== null) io.err(`${wipedOutText(wipedOutAt)}\n`);
    if (args.values['json']) {
      io.out(
        toJson({
          strategy: strategyName,
          params,
          bars: bars.t.length,
          range,
          wipedOutAt,
          metrics: output.metrics,
          commission: costRequest.commissionRate,
          slippageBps,
          costs,
          financingPaid: output.financingPaid,
          costStress,
          trades: output.trades,
        }),
      );
      return 0;
    }
    io.out(`${strategyName} on ${source.label} (${bars.t.length.toLocaleString('en-US')} bars) ${paramText}`);
    if (range?.warmup !== undefined) io.out(`Warm-up: ${range.warmup}.`);
    io.out(
      table([
        ['metric', 'value'],
        ...HEADLINE.map((key) => [metricLabel(key), formatMetric(key, output.metrics[key])]),
      ]),
    );
    io.out(`\nCash ${account.cash}, ${paidText}; cost stress (more cost on every fill):`);
    io.out(
      table([
        ['extra cost', ...STRESS_METRICS.map((key) => metricLabel(key))],
        ...stress.map(({ bps, output: { metrics } }) => [
          `+${bps} bp`,
          ...STRESS_METRICS.map((key) => formatMetric(key, metrics[key])),
        ]),
      ]),
    );
    io.out(`\n${tradeTable(output.trades, time, timeframe)}`);
    return 0;
  },
};
