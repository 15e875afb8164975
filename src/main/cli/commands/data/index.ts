import type { CommandEntry } from '../../command.ts';

/** The bars cache: fetch, import, list, quality, export, live sync. */
export const dataCommands: readonly CommandEntry[] = [
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
    name: 'data delete',
    summary: 'Delete a symbol from the cache: its bars of every timeframe, ranges and marked gaps',
    load: async () => (await import('./data.ts')).dataDeleteCommand,
  },
  {
    name: 'data rename',
    summary: 'Rename a symbol in the cache (refused if the new name is stored)',
    load: async () => (await import('./data.ts')).dataRenameCommand,
  },
  {
    name: 'data sync',
    summary: 'Catch up recent 1-minute bars over REST, then stream live bars into the cache',
    load: async () => (await import('./data.ts')).dataSyncCommand,
  },
];
