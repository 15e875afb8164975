import type { AssetCalendar } from '../core/data/assetCalendar.ts';
import {
  isCalendarTimeframe,
  SESSION_TIMEFRAMES,
  TIMEFRAME_MINUTES,
  type Timeframe,
} from '../core/data/bars.ts';

/** Intraday timeframes, finest first: what an around-the-clock market's coarser bars can be made of. */
const INTRADAY = SESSION_TIMEFRAMES.filter((tf) => tf !== '1d');

/**
 * Which stored timeframe a timeframe is read from, given the ones a symbol is stored in: itself when
 * stored; weeks and months from days (else from finer bars made into days); the other timeframes from
 * 1-minute bars. FX and crypto, which have no session to keep to, may also be made of any finer intraday
 * timeframe that divides it (EURUSD stored hourly gives 4h and 1d). Null when none can give it. The cache
 * reads by this rule and the pickers offer by it.
 */
export function timeframeSource(
  stored: readonly string[],
  timeframe: Timeframe,
  calendar: AssetCalendar = 'equities',
): string | null {
  if (stored.includes(timeframe)) return timeframe;
  if (isCalendarTimeframe(timeframe) && stored.includes('1d')) return '1d';
  if (stored.includes('1m')) return '1m';
  if (calendar === 'equities') return null;
  const minutes = TIMEFRAME_MINUTES[isCalendarTimeframe(timeframe) ? '1d' : timeframe];
  return (
    INTRADAY.find(
      (tf) => stored.includes(tf) && TIMEFRAME_MINUTES[tf] < minutes && minutes % TIMEFRAME_MINUTES[tf] === 0,
    ) ?? null
  );
}

/** Why a timeframe cannot be read from what is stored (null when it can): shown beside the pickers. */
export function timeframeUnavailableReason(
  symbol: string,
  stored: readonly string[],
  timeframe: Timeframe,
  calendar: AssetCalendar = 'equities',
): string | null {
  return timeframesUnavailableText(symbol, stored, [timeframe], calendar);
}

/**
 * Why these timeframes cannot be read from what is stored, in one sentence (null when all can): the
 * pickers' note, which named only the first ("GOOG is stored as 1d only: 1m is derived from 1-minute
 * bars") beside five disabled buttons.
 */
export function timeframesUnavailableText(
  symbol: string,
  stored: readonly string[],
  timeframes: readonly Timeframe[],
  calendar: AssetCalendar = 'equities',
): string | null {
  const byFrom = new Map<string, Timeframe[]>();
  for (const timeframe of timeframes) {
    if (timeframeSource(stored, timeframe, calendar) !== null) continue;
    const from =
      calendar === 'equities'
        ? isCalendarTimeframe(timeframe)
          ? 'daily or 1-minute bars'
          : '1-minute bars'
        : 'finer bars';
    byFrom.set(from, [...(byFrom.get(from) ?? []), timeframe]);
  }
  if (byFrom.size === 0) return null;
  const parts = [...byFrom].map(
    ([from, tfs]) => `${tfs.join(', ')} ${tfs.length === 1 ? 'is' : 'are'} derived from ${from}`,
  );
  return `${symbol} is stored as ${stored.join(', ')} only: ${parts.join('; ')}`;
}
