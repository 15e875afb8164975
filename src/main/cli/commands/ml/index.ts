import type { CommandEntry } from '../../command.ts';

/** Online learning: drift detection. */
export const mlCommands: readonly CommandEntry[] = [
  {
    name: 'drift',
    summary: 'Run a drift detector over one numeric column of a CSV file and print where it flagged drift',
    load: async () => (await import('./drift.ts')).driftCommand,
  },
];
