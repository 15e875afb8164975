import type { DomainChannels } from './domain.ts';

/** Cached bars, their coverage and quality, import / fetch / live sync / export, the demo market, and the Alpaca keys (dataContract.ts). */
export const DATA_CHANNELS = {
  requests: [
    'data:list',
    'bars:get',
    'data:coverage',
    'data:quality',
    'data:import',
    'data:fetch',
    'data:sync',
    'data:export',
    'data:delete',
    'data:rename',
    'data:demo',
    'settings:keys-status',
    'settings:save-keys',
    'settings:clear-keys',
  ],
  events: ['data:sync-bar', 'data:sync-state', 'data:alpaca-retry'],
} as const satisfies DomainChannels;
