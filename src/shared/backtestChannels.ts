import type { DomainChannels } from './domain.ts';

/**
 * Strategies and single backtests (their schemas: backtestContract.ts); a reload of the user's strategy
 * files is pushed to every window.
 */
export const BACKTEST_CHANNELS = {
  requests: [
    'strategies:list',
    'strategies:problems',
    'strategies:reload',
    'backtest:run',
    'backtest:robustness',
  ],
  events: ['strategies:changed'],
} as const satisfies DomainChannels;
