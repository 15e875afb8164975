import type { DomainChannels } from './domain.ts';

/** Regime labels stored per symbol, timeframe and detector, with their per-regime table (regimeContract.ts). */
export const REGIME_CHANNELS = {
  requests: ['regimes:get'],
  events: [],
} as const satisfies DomainChannels;
