import {
  commissionSpecFromRate,
  type BacktestOptions,
  type CommissionSpec,
  type SlippageSpec,
} from '../../../core/engine/index.ts';
import { getStrategy, withDefaults } from '../../../core/strategy/index.ts';
import { TaskRunner } from '../../compute/tasks.ts';
import {
  keyValueNumbers,
  listOption,
  numberOption,
  stringOption,
  UsageError,
  type ParsedArgs,
} from '../args.ts';
import { BARS_SOURCE_OPTIONS, loadBarsSource } from '../barsSource.ts';
import type { Command } from '../command.ts';
import { formatMetric, table, toJson } from '../format.ts';

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

/** Engine options from the flags shared by backtest, optimize and walk-forward (costs as data, storable). */
export function backtestOptionsFrom(
  args: ParsedArgs,
): BacktestOptions & { commission: CommissionSpec; slippage: SlippageSpec } {
  const cash = numberOption(args, 'cash', 10_000);
  if (!(cash > 0)) throw new UsageError(`--cash must be positive, got ${cash}`);
  const commission = numberOption(args, 'commission', 0);
  if (!(commission >= 0 && commission < 0.1))
    throw new UsageError(`--commission is a rate in [0, 0.1), got ${commission}`);
  const slippageBps = numberOption(args, 'slippage-bps', 0);
  return {
    cash,
    commission: commissionSpecFromRate(commission),
    slippage: slippageBps > 0 ? { kind: 'fixed-bps', bps: slippageBps } : { kind: 'none' },
    longOnly: Boolean(args.values['long-only']),
    closeAtEnd: Boolean(args.values['close-at-end']),
    ...(args.values['fill-at-close'] ? { fillAt: 'close' as const } : {}),
  };
}

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
    '        [--param name=value ...] [--cash 10000] [--commission RATE] [--slippage-bps BPS] [--long-only]\n' +
    '        [--close-at-end] [--fill-at-close] [--start ISO] [--end ISO] [--json]',
  options: { ...BACKTEST_OPTIONS, param: { type: 'string', multiple: true } },
  async run(args, io) {
    const strategyName = stringOption(args, 'strategy');
    if (strategyName === undefined) throw new UsageError('--strategy is required');
    const definition = getStrategy(strategyName);
    const params = withDefaults(definition, keyValueNumbers(listOption(args, 'param'), 'param'));
    const options = backtestOptionsFrom(args);
    const source = await loadBarsSource(args);
    const output = new TaskRunner().run({
      kind: 'backtest',
      dataset: { id: source.id, bars: source.bars },
      strategy: strategyName,
      params,
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
      table([['metric', 'value'], ...HEADLINE.map((key) => [key, formatMetric(key, output.metrics[key])])]),
    );
    return 0;
  },
};
