import type { DomainChannels } from './domain.ts';

/**
 * Regime labels stored per symbol, timeframe and detector, with their per-regime table; a per-regime study's
 * winners; the walk-forward comparison against one global set (both jobs), with its progress. Schemas: regimeContract.ts.
 */
export const REGIME_CHANNELS = {
  requests: ['regimes:get', 'regimes:winners', 'regimes:compare'],
  events: ['regimes:compare-progress'],
} as const satisfies DomainChannels;
