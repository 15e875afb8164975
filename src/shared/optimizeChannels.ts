import type { DomainChannels } from './domain.ts';

/** Studies and walk-forward runs, and a running study's events (their schemas: optimizeContract.ts). */
export const OPTIMIZE_CHANNELS = {
  requests: [
    'optimize:start',
    'optimize:resume',
    'optimize:list',
    'optimize:get',
    'optimize:approve',
    'optimize:delete',
    'optimize:annotate',
    'optimize:importance',
    'optimize:neighbourhood',
    'optimize:trial-backtest',
    'walkforward:run',
  ],
  events: ['optimize:trial', 'optimize:progress', 'walkforward:progress'],
} as const satisfies DomainChannels;
