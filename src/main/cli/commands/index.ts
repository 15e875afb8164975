import type { Command } from '../command.ts';

/** A command as `regimen --help` lists it; its module (and what that imports) loads only when it runs. */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

/**
 * Every CLI command, in the order `regimen --help` lists them. Each loads lazily: DuckDB, the Alpaca
 * client and the worker pool cost a second or more to import, which `--help` or a CSV backtest should
 * not pay.
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'demo',
    summary:
      'Write the deterministic synthetic demo market (1-minute bars, 2 years, 6 symbols) to the data directory',
    load: async () => (await import('./demo.ts')).demoCommand,
  },
  {
    name: 'serve',
    summary:
      'Serve the app over HTTP + WebSocket on 127.0.0.1 for any browser (headless machines, remote boxes)',
    load: async () => (await import('./serve.ts')).serveCommand,
  },
  {
    name: 'backtest',
    summary: 'Backtest a strategy on a CSV file or cached bars and print its metrics and trades',
    load: async () => (await import('./backtest.ts')).backtestCommand,
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
  {
    name: 'regimes',
    summary: 'Label each bar bull/bear/sideways and low/normal/high volatility and volume, point in time',
    load: async () => (await import('./regimes.ts')).regimesCommand,
  },
  {
    name: 'regimes compare',
    summary:
      'Walk-forward of one parameter set per regime against one global set: out-of-sample figures, DSR, PBO, verdict',
    load: async () => (await import('./regimesCompare.ts')).regimesCompareCommand,
  },
  {
    name: 'optimize',
    summary:
      "Optimise a strategy's parameters (grid, random, TPE, GA, NSGA-II), resumable, with overfitting statistics",
    load: async () => (await import('./optimize.ts')).optimizeCommand,
  },
  {
    name: 'walk-forward',
    summary:
      'Walk-forward analysis: optimise on each train window, test the winner on the next, stitch out of sample',
    load: async () => (await import('./walkForward.ts')).walkForwardCommand,
  },
  {
    name: 'worker',
    summary:
      'Take optimisation trials from a Redis queue (BullMQ) and compute them here, for a coordinator elsewhere',
    load: async () => (await import('./worker.ts')).workerCommand,
  },
  {
    name: 'studies',
    summary: 'List optimisation studies, show one with its approved parameters, or approve its best trial',
    load: async () => (await import('./studies.ts')).studiesCommand,
  },
  {
    name: 'drift',
    summary: 'Run a drift detector over one numeric column of a CSV file and print where it flagged drift',
    load: async () => (await import('./drift.ts')).driftCommand,
  },
  {
    name: 'bot',
    summary:
      'Run the reference trading bot (demo market or a replay, simulated fills) behind the signed bot protocol',
    load: async () => (await import('./bot.ts')).botCommand,
  },
  {
    name: 'bot conformance',
    summary: "Check a bot (--bot URL) against the bot protocol's mandatory behaviours",
    load: async () => (await import('./botConformance.ts')).botConformanceCommand,
  },
  {
    name: 'data fetch',
    summary: 'Fetch historical bars from Alpaca into the cache (only what is missing)',
    load: async () => (await import('./data.ts')).dataFetchCommand,
  },
  {
    name: 'data import',
    summary: 'Import a CSV or Parquet file of bars into the cache',
    load: async () => (await import('./data.ts')).dataImportCommand,
  },
  {
    name: 'data list',
    summary: 'List cached bars: one row per symbol and timeframe',
    load: async () => (await import('./data.ts')).dataListCommand,
  },
  {
    name: 'data quality',
    summary: 'Quality report of cached bars (gaps, duplicates, OHLC errors, outliers, splits) and repair',
    load: async () => (await import('./data.ts')).dataQualityCommand,
  },
  {
    name: 'data export',
    summary: 'Export cached bars (any timeframe) to Parquet or CSV',
    load: async () => (await import('./data.ts')).dataExportCommand,
  },
  {
    name: 'data sync',
    summary: 'Catch up recent 1-minute bars over REST, then stream live bars into the cache',
    load: async () => (await import('./data.ts')).dataSyncCommand,
  },
];
