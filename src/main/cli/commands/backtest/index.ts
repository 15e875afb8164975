import type { CommandEntry } from '../../command.ts';

/** Single backtests and what they are built from: metrics of an equity curve, indicators. */
export const backtestCommands: readonly CommandEntry[] = [
  {
    name: 'backtest',
    summary: 'Backtest a strategy on a CSV file or cached bars and print its metrics and trades',
    load: async () => (await import('./backtest.ts')).backtestCommand,
  },
  {
    name: 'strategies',
    summary:
      "The strategies a run can name (built in and the data folder's files): version, parameters with defaults and ranges, rules",
    load: async () => (await import('./strategies.ts')).strategiesCommand,
  },
  {
    name: 'metrics',
    summary:
      'Treat one column of a CSV file (or cached bars) as an equity curve and print its return and risk metrics',
    load: async () => (await import('./metrics.ts')).metricsCommand,
  },
  {
    name: 'indicators',
    summary: 'Compute indicators on a CSV file or cached bars (TA-Lib conventions), one entry per request',
    load: async () => (await import('./indicators.ts')).indicatorsCommand,
  },
];
