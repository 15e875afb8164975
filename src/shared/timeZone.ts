/**
 * The one time-zone setting, and how every time is printed with it, in the app (labels, tooltips, trade
 * tables) and in the CLI (`--tz`). Bar timestamps are epoch milliseconds UTC. Intl only (no zod, no
 * Node), so the renderer may import it.
 */

/** US equities trade on New York time: the default, as traders read a US session. */
export const EXCHANGE_TIME_ZONE = 'America/New_York';

/** The setting: the exchange's zone, UTC, or the zone of the machine showing the time. */
export type TimeZoneSetting = 'exchange' | 'utc' | 'local';
export const TIME_ZONE_SETTINGS: readonly TimeZoneSetting[] = ['exchange', 'utc', 'local'];
export const DEFAULT_TIME_ZONE_SETTING: TimeZoneSetting = 'exchange';

export function isTimeZoneSetting(value: unknown): value is TimeZoneSetting {
  return typeof value === 'string' && (TIME_ZONE_SETTINGS as readonly string[]).includes(value);
}

/** The IANA name the setting stands for on this machine. */
export function zoneOf(setting: TimeZoneSetting): string {
  if (setting === 'exchange') return EXCHANGE_TIME_ZONE;
  if (setting === 'utc') return 'UTC';
  return new Intl.DateTimeFormat('en-US').resolvedOptions().timeZone;
}

/** How the setting reads in Settings: "Exchange (America/New_York)", "UTC", "Local (Europe/Paris)". */
export function timeZoneSettingLabel(setting: TimeZoneSetting): string {
  if (setting === 'utc') return 'UTC';
  return `${setting === 'exchange' ? 'Exchange' : 'Local'} (${zoneOf(setting)})`;
}

const DAY_MS = 86_400_000;
/** Timeframes whose bars are whole sessions or more: their time of day means nothing, their date does. */
const DAY_OR_COARSER = new Set(['1d', '1w', '1wk', '1mo', '1M', '1y']);

export function isDayOrCoarser(timeframe: string): boolean {
  return DAY_OR_COARSER.has(timeframe);
}

const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Prints times in one zone; `zone` is the IANA name every printed time should carry. */
export interface TimeFormat {
  zone: string;
  /** yyyy-MM-dd */
  date(t: number): string;
  /** yyyy-MM-dd HH:mm */
  dateTime(t: number): string;
  /**
   * A bar's (or a trade's) time as precise as its timeframe: the date and minute for intraday bars, the
   * session date alone for day and coarser bars, the same in every zone (a session's date does not move
   * with the reader; "00:00" would only be the hour the bar was stamped at).
   */
  barTime(t: number, timeframe: string): string;
}

const formats = new Map<string, TimeFormat>();

/** The formatter of `zone` (an IANA name), made once; an unknown zone throws a RangeError naming it. */
export function timeFormat(zone: string): TimeFormat {
  let format = formats.get(zone);
  if (format === undefined) {
    format = createTimeFormat(zone);
    formats.set(zone, format);
  }
  return format;
}

function createTimeFormat(zone: string): TimeFormat {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const offsetAt = (t: number): number => {
    const p: Record<string, number> = {};
    for (const part of parts.formatToParts(t)) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const wall = Date.UTC(
      p.year ?? 1970,
      (p.month ?? 1) - 1,
      p.day ?? 1,
      p.hour ?? 0,
      p.minute ?? 0,
      p.second ?? 0,
    );
    return wall - Math.floor(t / 1000) * 1000;
  };
  // Intl is slow per call and charts print thousands of labels. A zone's offset changes on a few days a
  // year: one lookup at each end of a UTC day, and an exact lookup per time only on a day they differ.
  const offsetByDay = new Map<number, number | null>();
  const offset = (t: number): number => {
    const day = Math.floor(t / DAY_MS);
    let known = offsetByDay.get(day);
    if (known === undefined) {
      const start = offsetAt(day * DAY_MS);
      known = start === offsetAt(day * DAY_MS + DAY_MS - 1000) ? start : null;
      offsetByDay.set(day, known);
    }
    return known ?? offsetAt(t);
  };
  const wall = (t: number): Date => new Date(t + offset(t));
  const dateOf = (d: Date): string =>
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const date = (t: number): string => dateOf(wall(t));
  const dateTime = (t: number): string => {
    const d = wall(t);
    return `${dateOf(d)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  };
  return {
    zone,
    date,
    dateTime,
    barTime: (t, timeframe) => (isDayOrCoarser(timeframe) ? sessionDate(t) : dateTime(t)),
  };
}

/**
 * The date of a day (or coarser) bar: the exchange date of the middle of its first day. Day bars are
 * stamped at the start of their date, in New York (resampled) or in UTC (a naive date imported as UTC);
 * twelve hours later is that same date in New York either way.
 */
function sessionDate(t: number): string {
  return timeFormat(EXCHANGE_TIME_ZONE).date(t + DAY_MS / 2);
}
