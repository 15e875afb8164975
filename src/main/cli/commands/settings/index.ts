import type { CommandEntry } from '../../command.ts';

/** The settings record the app, `regimen serve` and every command's defaults share. */
export const settingsCommands: readonly CommandEntry[] = [
  {
    name: 'settings show',
    summary:
      'Show the settings (default cash, costs, risk-free rate, workers, time zone, session, data folder)',
    load: async () => (await import('./settings.ts')).settingsShowCommand,
  },
  {
    name: 'settings set',
    summary:
      'Change one setting: regimen settings set KEY VALUE (through the app or server that owns the folder)',
    load: async () => (await import('./settings.ts')).settingsSetCommand,
  },
  {
    name: 'settings data-folder',
    summary: 'Move the data to another folder, or switch to one, from the next start',
    load: async () => (await import('./settings.ts')).settingsDataFolderCommand,
  },
];
