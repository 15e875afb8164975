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

/**
 * Why each timeframe cannot be shown for a symbol (null when it can), from what is stored: a stored
 * timeframe is read as is, and the server derives the others only from 1-minute bars, so a symbol
 * imported as 1d offers 1d alone. Unknown until the datasets are listed: everything is offered then.
 */
export function timeframeReasons(
  datasets: readonly { symbol: string; timeframe: string }[] | null,
  symbol: string | null,
): Record<Timeframe, string | null> {
  const stored = new Set(datasets?.filter((d) => d.symbol === symbol).map((d) => d.timeframe));
  const reasons = {} as Record<Timeframe, string | null>;
  for (const tf of TIMEFRAME_CHOICES) {
    reasons[tf] =
      stored.size === 0 || stored.has(tf) || stored.has('1m')
        ? null
        : `${symbol} is stored as ${[...stored].join(', ')} only: other timeframes are derived from 1-minute bars alone`;
  }
  return reasons;
}

/** The finest timeframe the symbol can be shown in, or null when none of the choices can. */
export function finestAvailable(reasons: Record<Timeframe, string | null>): Timeframe | null {
  return TIMEFRAME_CHOICES.find((tf) => reasons[tf] === null) ?? null;
}
