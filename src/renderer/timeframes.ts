import type { AssetCalendar } from '../core/data/assetCalendar.ts';
import type { Timeframe } from '../core/data/bars.ts';
import { timeframesUnavailableText, timeframeUnavailableReason } from '../shared/timeframeSources.ts';

/**
 * Bar length of each timeframe. A Record over core's Timeframe, so the compiler asks for an entry here
 * whenever core adds a timeframe; the renderer takes only types from core.
 */
export const TIMEFRAME_MS: Record<Timeframe, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 4 * 3_600_000,
  '1d': 86_400_000,
  '1w': 7 * 86_400_000,
  // Nominal: month bars follow the calendar.
  '1mo': 30 * 86_400_000,
};

/** The timeframe picker's choices, finest first. */
export const TIMEFRAME_CHOICES = Object.keys(TIMEFRAME_MS) as Timeframe[];

/**
 * Why each timeframe cannot be shown for a symbol (null when it can), from what is stored, by the rule the
 * cache reads by (a symbol imported as 1d offers 1d, 1w and 1mo). Unknown until the datasets are listed:
 * everything is offered then.
 */
export function timeframeReasons(
  datasets: readonly { symbol: string; timeframe: string; calendar?: AssetCalendar }[] | null,
  symbol: string | null,
): Record<Timeframe, string | null> {
  const rows = datasets?.filter((d) => d.symbol === symbol) ?? [];
  const stored = rows.map((d) => d.timeframe);
  const calendar = rows[0]?.calendar;
  const reasons = {} as Record<Timeframe, string | null>;
  for (const tf of TIMEFRAME_CHOICES) {
    reasons[tf] = stored.length === 0 ? null : timeframeUnavailableReason(symbol ?? '', stored, tf, calendar);
  }
  return reasons;
}

/** The pickers' note: every timeframe the symbol cannot be shown in, and why (null when none). */
export function timeframesNote(
  datasets: readonly { symbol: string; timeframe: string; calendar?: AssetCalendar }[] | null,
  symbol: string | null,
): string | null {
  const rows = datasets?.filter((d) => d.symbol === symbol) ?? [];
  if (rows.length === 0) return null;
  const stored = rows.map((d) => d.timeframe);
  return timeframesUnavailableText(symbol ?? '', stored, TIMEFRAME_CHOICES, rows[0]?.calendar);
}

/**
 * The chosen timeframes the symbol can have, or its finest one when none of them is: what the Optimize
 * form keeps when its symbol changes. The same array when nothing changes.
 */
export function keepAvailable(chosen: Timeframe[], reasons: Record<Timeframe, string | null>): Timeframe[] {
  const kept = chosen.filter((tf) => reasons[tf] === null);
  if (kept.length === chosen.length) return chosen;
  if (kept.length > 0) return kept;
  const finest = finestAvailable(reasons);
  return finest === null ? chosen : [finest];
}

/** The finest timeframe the symbol can be shown in, or null when none of the choices can. */
export function finestAvailable(reasons: Record<Timeframe, string | null>): Timeframe | null {
  return TIMEFRAME_CHOICES.find((tf) => reasons[tf] === null) ?? null;
}
