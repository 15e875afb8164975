/**
 * Display formatting. Times are printed in the zone chosen in Settings (useTimeFormat); bar timestamps
 * are epoch milliseconds UTC.
 */
export const DAY_MS = 86_400_000;

/** yyyy-MM-dd in UTC, as date inputs and the fetch form take dates (a day starts at 00:00 UTC). */
export function formatUtcDate(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

const DASH = '—';

export function formatNumber(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  // A small value keeps two significant digits rather than rounding to a zero it is not (0.005, not 0.00).
  const magnitude = Math.abs(value);
  const needed =
    magnitude > 0 && magnitude < 10 ** -digits ? Math.min(12, Math.ceil(-Math.log10(magnitude)) + 1) : digits;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: needed });
}

/** A fraction shown as a percentage: 0.1234 -> "12.34%". */
export function formatPercent(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return `${formatNumber(value * 100, digits)}%`;
}

/** A share with its 95 % interval, as the learner's figures carry them: "29.1% [22.0%, 36.2%]". */
export function formatPercentInterval(
  value: number | null | undefined,
  interval: { readonly lower: number | null; readonly upper: number | null },
  digits = 1,
): string {
  return `${formatPercent(value, digits)} [${formatPercent(interval.lower, digits)}, ${formatPercent(interval.upper, digits)}]`;
}

export function formatSignedPercent(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return `${value > 0 ? '+' : ''}${formatPercent(value, digits)}`;
}

export function formatMoney(value: number | null | undefined): string {
  return formatNumber(value, 2);
}

export function formatInteger(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return Math.round(value).toLocaleString('en-US');
}

/** A trial or strategy parameter: integers as they are, fractions to `digits` places, choices as text. */
export function formatParamValue(value: number | string | boolean | null | undefined, digits = 3): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : formatNumber(value, digits);
  return value === undefined || value === null ? DASH : String(value);
}

/** A price with the precision its size calls for. */
export function formatPrice(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return formatNumber(value, Math.abs(value) < 10 ? 4 : 2);
}

/** A duration in milliseconds as the two largest units: "3d 4h", "2h 15m", "45m". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return DASH;
  const minutes = Math.round(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days >= 30 || (days > 0 && hours === 0)) return `${days}d`;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return rest > 0 ? `${hours}h ${rest}m` : `${hours}h`;
  return `${rest}m`;
}

/**
 * How long a trade was held. On day bars and coarser a trade spans whole sessions, so it is counted in
 * days: its clock time across a daylight-saving change (a bar stamped at the New York open) would read
 * "4d 23h" for five days.
 */
export function formatHeld(ms: number, wholeDays: boolean): string {
  return wholeDays && Number.isFinite(ms) && ms >= 0 ? `${Math.round(ms / DAY_MS)}d` : formatDuration(ms);
}

/** "maxDrawdown" -> "Max drawdown". */
export function humanizeKey(key: string): string {
  const words = key
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Epoch ms of a date input's UTC day (its end: the next midnight, so the day is included), if any. */
export function dayStart(date: string, inclusiveEnd = false): number | undefined {
  const t = Date.parse(`${date}T00:00:00Z`);
  return Number.isFinite(t) ? t + (inclusiveEnd ? DAY_MS : 0) : undefined;
}

/** A request's start/end from two date inputs (either may be empty), the end day included. */
export function dateRange(dates: { start: string; end: string }): { start?: number; end?: number } {
  const start = dayStart(dates.start);
  const end = dayStart(dates.end, true);
  return { ...(start === undefined ? {} : { start }), ...(end === undefined ? {} : { end }) };
}
