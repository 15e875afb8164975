import { isCalendarTimeframe, type Timeframe } from '../core/data/bars.ts';

/**
 * Which stored timeframe a timeframe is read from, given the ones a symbol is stored in: itself when
 * stored; weeks and months from days (else from 1-minute bars made into days); the other timeframes from
 * 1-minute bars. Null when none can give it. The cache reads by this rule and the pickers offer by it.
 */
export function timeframeSource(stored: readonly string[], timeframe: Timeframe): string | null {
  if (stored.includes(timeframe)) return timeframe;
  if (isCalendarTimeframe(timeframe) && stored.includes('1d')) return '1d';
  return stored.includes('1m') ? '1m' : null;
}

/** Why a timeframe cannot be read from what is stored (null when it can): shown beside the pickers. */
export function timeframeUnavailableReason(
  symbol: string,
  stored: readonly string[],
  timeframe: Timeframe,
): string | null {
  if (timeframeSource(stored, timeframe) !== null) return null;
  const from = isCalendarTimeframe(timeframe) ? 'daily or 1-minute bars' : '1-minute bars';
  return `${symbol} is stored as ${stored.join(', ')} only: ${timeframe} is derived from ${from}`;
}
