import type { CommandEntry } from '../../command.ts';

/** Compute for a coordinator elsewhere: remote optimisation workers. */
export const computeCommands: readonly CommandEntry[] = [
  {
    name: 'worker',
    summary:
      'Take optimisation trials from a Redis queue (BullMQ) and compute them here, for a coordinator elsewhere',
    load: async () => (await import('./worker.ts')).workerCommand,
  },
];
