import type { CommandEntry } from '../../command.ts';

/** The compare set the app's Compare tab shows: pinned backtests, trials and walk-forward runs. */
export const compareCommands: readonly CommandEntry[] = [
  {
    name: 'compare list',
    summary: 'List the pinned backtests, trials and walk-forward runs of the compare set',
    load: async () => (await import('./compare.ts')).compareListCommand,
  },
  {
    name: 'compare add',
    summary: "Pin a study's trial (--study ID --trial N) or a backtest of a cached symbol to the compare set",
    load: async () => (await import('./compare.ts')).compareAddCommand,
  },
  {
    name: 'compare remove',
    summary: 'Unpin one pin (PIN_ID), or every pin with --all',
    load: async () => (await import('./compare.ts')).compareRemoveCommand,
  },
  {
    name: 'compare show',
    summary: 'The pins side by side: every metric, better/worse than the reference pin and by how much',
    load: async () => (await import('./compare.ts')).compareShowCommand,
  },
];
