import {
  commissionSpecFromRate,
  type BacktestOptions,
  type CommissionSpec,
  type SlippageSpec,
} from '../../../../core/engine/index.ts';
import {
  COMMISSION_UNIT,
  commissionRateFromPercent,
  commissionWarning,
  MAX_COMMISSION_PERCENT,
  PLAUSIBLE_COMMISSION_PERCENT,
} from '../../../../shared/commission.ts';
import { strategyRef, withDefaults } from '../../../../core/strategy/index.ts';
import { getStrategyOrThrow } from '../../../services/backtest/strategyCatalog.ts';
import { TaskRunner, type TradeOut } from '../../../compute/tasks.ts';
import { OPEN_TRADE_REASON } from '../../../../shared/tradeRows.ts';
import {
  keyValueNumbers,
  listOption,
  numberOption,
  stringOption,
  UsageError,
  type ParsedArgs,
} from '../../args.ts';
import { BARS_SOURCE_OPTIONS, loadBarsSource } from '../../barsSource.ts';
import type { Command, CommandIO } from '../../command.ts';
import type { TimeFormat } from '../../../../shared/timeZone.ts';
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

/** Engine options from the flags shared by backtest, optimize and walk-forward (costs as data, storable). */
export function backtestOptionsFrom(
  args: ParsedArgs,
  io: CommandIO,
): BacktestOptions & { commission: CommissionSpec; slippage: SlippageSpec } {
  const cash = numberOption(args, 'cash', 10_000);
  if (!(cash > 0)) throw new UsageError(`--cash must be positive, got ${cash}`);
  const slippageBps = numberOption(args, 'slippage-bps', 0);
  return {
    cash,
    commission: commissionSpecFromRate(commissionRateOption(args, io)),
    slippage: slippageBps > 0 ? { kind: 'fixed-bps', bps: slippageBps } : { kind: 'none' },
    longOnly: Boolean(args.values['long-only']),
    closeAtEnd: Boolean(args.values['close-at-end']),
    ...(args.values['fill-at-close'] ? { fillAt: 'close' as const } : {}),
  };
}

/** The usage line that says what --commission's number means (backtest, optimize, walk-forward). */
export const COMMISSION_HELP = `\n        --commission PCT: ${COMMISSION_UNIT} (0.1 means 0.1 %), warned above ${PLAUSIBLE_COMMISSION_PERCENT} %`;

export const BACKTEST_OPTIONS = {
  ...BARS_SOURCE_OPTIONS,
  strategy: { type: 'string' },
  cash: { type: 'string' },
  commission: { type: 'string' },
  'slippage-bps': { type: 'string' },
  'long-only': { type: 'boolean' },
  'close-at-end': { type: 'boolean' },
  'fill-at-close': { type: 'boolean' },
} as const;

export const backtestCommand: Command = {
  usage:
    '(--csv FILE | --symbol SYM [--timeframe 1m|5m|15m|1h|1d] [--session regular|extended]) --strategy NAME\n' +
    '        [--param name=value ...] [--cash 10000] [--commission PCT] [--slippage-bps BPS] [--long-only]\n' +
    '        [--close-at-end] [--fill-at-close] [--start ISO] [--end ISO] [--tz ZONE] [--json]' +
    COMMISSION_HELP,
  options: { ...BACKTEST_OPTIONS, param: { type: 'string', multiple: true } },
  async run(args, io) {
    const strategyName = stringOption(args, 'strategy');
    if (strategyName === undefined) throw new UsageError('--strategy is required');
    // Refused as a usage error (exit 2) naming --strategy, as optimize and walk-forward do.
    const definition = getStrategyOrThrow(strategyName);
    const time = timeFormatFrom(args);
    const params = withDefaults(definition, keyValueNumbers(listOption(args, 'param'), 'param'));
    const options = backtestOptionsFrom(args, io);
    const source = await loadBarsSource(args);
    const output = new TaskRunner().run({
      kind: 'backtest',
      dataset: { id: source.id, bars: source.bars },
      strategy: strategyRef(definition, params),
      options,
    });
    if (!('metrics' in output)) throw new Error('unexpected trials output');
    if (args.values['json']) {
      io.out(
        toJson({
          strategy: strategyName,
          params,
          bars: source.bars.t.length,
          metrics: output.metrics,
          trades: output.trades,
        }),
      );
      return 0;
    }
    const paramText = Object.entries(params)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    io.out(
      `${strategyName} on ${source.label} (${source.bars.t.length.toLocaleString('en-US')} bars) ${paramText}`,
    );
    io.out(
      table([
        ['metric', 'value'],
        ...HEADLINE.map((key) => [metricLabel(key), formatMetric(key, output.metrics[key])]),
      ]),
    );
    io.out(`\n${tradeTable(output.trades, time, printedTimeframe(source.bars.t))}`);
    return 0;
  },
};
