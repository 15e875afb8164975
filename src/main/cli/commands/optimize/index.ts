import type { CommandEntry } from '../../command.ts';

/** Parameter studies, walk-forward analysis and approvals. */
export const optimizeCommands: readonly CommandEntry[] = [
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
    name: 'studies',
    summary: 'List optimisation studies, show one with its approved parameters, or approve its best trial',
    load: async () => (await import('./studies.ts')).studiesCommand,
  },
];
