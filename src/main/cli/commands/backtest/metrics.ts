import { annualizationOf, computeEquityMetrics } from '../../../../core/metrics/index.ts';
import { stringOption, UsageError } from '../../args.ts';
import { BARS_SOURCE_OPTIONS, loadBarsSource } from '../../barsSource.ts';
import type { Command } from '../../command.ts';
import { formatMetric, metricLabel, table, toJson } from '../../format.ts';
import { riskFreePercentFrom } from './backtest.ts';

export const metricsCommand: Command = {
  usage:
    '(--csv FILE | --symbol SYM [--session regular|extended]) [--timeframe TF] [--column Close] [--start ISO] [--end ISO] ' +
    '[--periods-per-year N (default: from the bar spacing)] [--json]\n' +
    "        [--risk-free PCT: annual rate Sharpe and Sortino are measured against, default the settings' or 0]",
  options: {
    ...BARS_SOURCE_OPTIONS,
    column: { type: 'string' },
    'periods-per-year': { type: 'string' },
    'risk-free': { type: 'string' },
  },
  async run(args, io) {
    const source = await loadBarsSource(args, io);
    const column = (stringOption(args, 'column') ?? 'close').toLowerCase().replace(/\s+/g, '');
    const columns: Record<string, Float64Array | undefined> = {
      open: source.bars.o,
      high: source.bars.h,
      low: source.bars.l,
      close: source.bars.c,
      volume: source.bars.v,
      vwap: source.extra.vwap,
      adjclose: source.extra.adjClose,
    };
    const values = columns[column];
    if (!values) {
      const available = Object.keys(columns).filter((key) => columns[key] !== undefined);
      throw new UsageError(
        `--column "${stringOption(args, 'column')}" is not in ${source.label}; use one of ${available.join(', ')}`,
      );
    }
    const given = stringOption(args, 'periods-per-year');
    const periodsPerYear = given === undefined ? undefined : Number(given);
    if (periodsPerYear !== undefined && !(periodsPerYear > 0 && Number.isFinite(periodsPerYear))) {
      throw new UsageError(`--periods-per-year must be a number > 0, got "${given}"`);
    }
    // Over the rate every other Sharpe of the folder is measured over (Settings', unless given).
    const riskFreeRate = riskFreePercentFrom(args) / 100;
    const options = periodsPerYear === undefined ? { riskFreeRate } : { periodsPerYear, riskFreeRate };
    const annualization = annualizationOf(source.bars.t, options);
    const metrics = computeEquityMetrics(source.bars.t, values, options);
    if (args.values['json']) {
      io.out(toJson({ column, bars: values.length, annualization, riskFreeRate, metrics }));
      return 0;
    }
    io.out(
      `${column} of ${source.label} as an equity curve (${values.length.toLocaleString('en-US')} points)`,
    );
    io.out(
      annualization.basis === 'given'
        ? `annualised with ${annualization.periodsPerYear} periods a year (--periods-per-year)`
        : `annualised with ${annualization.periodsPerYear} periods a year (${annualization.basis} periods, ` +
            'inferred from the bar spacing; --periods-per-year overrides)',
    );
    io.out(`Sharpe and Sortino over a risk-free rate of ${riskFreeRate * 100} %`);
    io.out(
      table([
        ['metric', 'value'],
        ...Object.entries(metrics).map(([key, value]) => [metricLabel(key), formatMetric(key, value)]),
      ]),
    );
    return 0;
  },
};
