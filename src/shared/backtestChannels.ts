import type { DomainChannels } from './domain.ts';

/** Strategies and single backtests (their schemas: backtestContract.ts). */
export const BACKTEST_CHANNELS = {
  requests: ['strategies:list', 'strategies:problems', 'backtest:run', 'backtest:robustness'],
  events: [],
} as const satisfies DomainChannels;
