import type { CommandEntry } from '../../command.ts';

/** Monte Carlo robustness of a result: how much of its path and drawdown is luck of ordering. */
export const robustnessCommands: readonly CommandEntry[] = [
  {
    name: 'robustness',
    summary:
      "Block bootstrap of an equity column or shuffle of a trade-returns column: final equity and drawdown bands, P(drawdown), P(ruin); or a study winner's results one step from it in each parameter (--study ID --neighbourhood)",
    load: async () => (await import('./robustness.ts')).robustnessCommand,
  },
];
