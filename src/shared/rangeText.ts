/**
 * A run's date range and a dataset's stored span in words, for the errors of a range with too few bars
 * (the app's forms and `regimen backtest` alike). Both read dates as UTC days (the forms' date inputs,
 * `--start 2024-01-02`) and carry an exclusive end, the midnight after the last day the forms include:
 * so the range is printed as those dates, the end as the last day included ("through"), not as the
 * instants the request carries.
 */
import { isDayOrCoarser, timeFormat } from './timeZone.ts';

const DAY_MS = 86_400_000;

/** Where a run's range ends up in words: "from 2024-01-02 through 2024-01-31", "from 2024-01-02 on". */
export function rangeText(start: number | undefined, end: number | undefined): string {
  const from = start === undefined ? null : `from ${bound(start)}`;
  // The last day a midnight end includes is the one before it; another end is an instant not reached.
  const to =
    end === undefined ? null : end % DAY_MS === 0 ? `through ${bound(end - DAY_MS)}` : `until ${bound(end)}`;
  if (from !== null && to !== null) return `${from} ${to}`;
  if (from !== null) return `${from} on`;
  return to ?? 'in all';
}

function bound(t: number): string {
  const utc = timeFormat('UTC');
  return t % DAY_MS === 0 ? utc.date(t) : `${utc.dateTime(t)} UTC`;
}

/**
 * What is stored of a dataset ("GOOG 1d"), to say beside a range that has too few of its bars: its
 * first and last bars' dates (a day bar's session date), or that nothing is, with where to get some.
 */
export function cachedSpanText(
  label: string,
  timeframe: string,
  span: { readonly start: number; readonly end: number } | null,
): string {
  if (span === null) return nothingCachedText(label);
  const utc = timeFormat('UTC');
  const date = (t: number): string => (isDayOrCoarser(timeframe) ? utc.barTime(t, timeframe) : utc.date(t));
  return `${label} is cached from ${date(span.start)} to ${date(span.end)}`;
}

/** That nothing of a symbol (or "SYM 1d") is cached, and how to get it. */
export function nothingCachedText(label: string): string {
  return (
    `nothing of ${label} is cached: fetch it or import a file in the Data view ` +
    '(regimen data fetch, regimen data import)'
  );
}
