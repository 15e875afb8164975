import type { CommandEntry } from '../../command.ts';

/** Market regimes. */
export const regimeCommands: readonly CommandEntry[] = [
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
];
