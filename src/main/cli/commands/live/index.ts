import type { CommandEntry } from '../../command.ts';

/** Live trading: the reference bot behind the signed bot protocol. */
export const liveCommands: readonly CommandEntry[] = [
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
];
