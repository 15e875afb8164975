import type { Timeframe } from '../core/data/bars.ts';

/**
 * Bar length of each timeframe. A Record over core's Timeframe, so the compiler asks for an entry here
 * whenever core adds a timeframe; the renderer takes only types from core.
 */
export const TIMEFRAME_MS: Record<Timeframe, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
};

/** The timeframe picker's choices, finest first. */
export const TIMEFRAME_CHOICES = Object.keys(TIMEFRAME_MS) as Timeframe[];
