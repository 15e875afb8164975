import type { CommandEntry } from '../../command.ts';

/** Setting up and serving the app. */
export const appCommands: readonly CommandEntry[] = [
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
];
