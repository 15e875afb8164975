import type { DomainChannels } from './domain.ts';

/** The compare set: pinned backtests and study trials, side by side (their schemas: compareContract.ts). */
export const COMPARE_CHANNELS = {
  requests: ['compare:pin', 'compare:list', 'compare:unpin', 'compare:clear'],
  events: [],
} as const satisfies DomainChannels;
