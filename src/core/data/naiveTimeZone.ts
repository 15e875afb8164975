/**
 * The zone of date-times written without an offset, inferred from where the bars sit in the day and the
 * week. Only two readings are told apart (UTC and New York wall-clock time), the two an import offers:
 * - FX: the interbank week closes Friday 17:00 and reopens Sunday 17:00 New York time, so the weekend gap
 *   opens and closes at 17:00 in the reading that is right (21:00/22:00 in the other).
 * - Equities: the busiest 6.5 hours of the day are the regular session, 09:30-16:00 New York time, in
 *   the right reading; in the wrong one they sit at 14:30-21:00 (or 04:30-11:00), extended hours or not.
 * - Crypto trades every hour of every day: nothing in the data fixes the zone, so UTC, and said so.
 * Day bars carry no time of day worth placing.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS, etMinuteOfDay, etDays, weekdayOfDays } from './calendar.ts';
import { inferTimeframe } from './timeframe.ts';

export const NAIVE_TIME_ZONES = ['UTC', 'America/New_York'] as const;
export type NaiveTimeZone = (typeof NAIVE_TIME_ZONES)[number];

export interface NaiveZoneGuess {
  /** The zone inferred, or null when the data does not tell (the caller then reads UTC, its default). */
  readonly zone: NaiveTimeZone | null;
  /** What the guess rests on, in words, for the import's answer. */
  readonly basis: string;
}

/** The FX week's close and reopening, minutes after New York midnight. */
const FX_TURN_MINUTE = 17 * 60;
/** A gap this long between bars is a weekend (or a holiday), not a missing bar. */
const WEEKEND_GAP_MS = 30 * HOUR_MS;
const SESSION_OPEN_MINUTE = 9 * 60 + 30;
const SESSION_MINUTES = 390;
/**
 * The busiest session-long window must hold this share of the bars to count as a session: 1.5 times what
 * bars spread evenly over the day (FX, crypto) put in 6.5 hours.
 */
const CONCENTRATED = (1.5 * SESSION_MINUTES) / 1440;

const count = (n: number): string => n.toLocaleString('en-US');

/**
 * Infers the zone of naive date-times from their values read as UTC (`asUtc`, sorted). The New York
 * reading of a naive stamp is its wall-clock value placed in New York (see the module comment).
 */
export function inferNaiveTimeZone(asUtc: Float64Array): NaiveZoneGuess {
  const n = asUtc.length;
  if (n < 2) return { zone: null, basis: 'too few bars to tell' };
  const spacing = inferTimeframe(asUtc).medianSpacingMs;
  if (!Number.isFinite(spacing)) return { zone: null, basis: 'the bars have no regular spacing' };
  if (spacing >= 0.8 * DAY_MS) return { zone: null, basis: 'day bars: the time of day places nothing' };
  let saturdays = 0;
  for (let i = 0; i < n; i++) if (weekdayOfDays(Math.floor(asUtc[i]! / DAY_MS)) === 6) saturdays++;
  if (saturdays > n * 0.01) {
    return {
      zone: null,
      basis: `bars on every day of the week (${count(saturdays)} on Saturdays), as crypto trades: nothing in the data fixes the zone`,
    };
  }

  // FX: where each weekend gap opens and closes, in each reading.
  let weekends = 0;
  let fitsUtc = 0;
  let fitsNewYork = 0;
  for (let i = 1; i < n; i++) {
    if (asUtc[i]! - asUtc[i - 1]! < WEEKEND_GAP_MS) continue;
    weekends++;
    const close = asUtc[i - 1]! + spacing;
    const reopen = asUtc[i]!;
    if (
      isFxTurn(etDays(close), etMinuteOfDay(close), 5) &&
      isFxTurn(etDays(reopen), etMinuteOfDay(reopen), 0)
    )
      fitsUtc++;
    if (isFxTurn(...wallClock(close), 5) && isFxTurn(...wallClock(reopen), 0)) fitsNewYork++;
  }
  if (weekends >= 2 && Math.max(fitsUtc, fitsNewYork) > weekends / 2 && fitsUtc !== fitsNewYork) {
    const zone = fitsUtc > fitsNewYork ? 'UTC' : 'America/New_York';
    return {
      zone,
      basis:
        `the weekly gap opens Friday 17:00 and closes Sunday 17:00 New York time (FX) when read as ${zone}: ` +
        `${count(Math.max(fitsUtc, fitsNewYork))} of ${count(weekends)} weekends, against ${count(Math.min(fitsUtc, fitsNewYork))} read as ${zone === 'UTC' ? 'America/New_York' : 'UTC'}`,
    };
  }

  // Equities: 09:30-16:00 New York is the busiest 6.5 hours of the day in the right reading.
  const asUtcSession = sessionShare(asUtc, (t) => etMinuteOfDay(t));
  const asNewYorkSession = sessionShare(asUtc, (t) => wallClock(t)[1]);
  const fits = (w: SessionShare): boolean =>
    w.inSession >= n * CONCENTRATED && w.inSession >= 0.98 * w.busiest;
  if (fits(asUtcSession) !== fits(asNewYorkSession)) {
    const [zone, right, wrong] = fits(asUtcSession)
      ? (['UTC', asUtcSession, asNewYorkSession] as const)
      : (['America/New_York', asNewYorkSession, asUtcSession] as const);
    return {
      zone,
      basis:
        `read as ${zone}, 09:30-16:00 New York (the NYSE regular session) is the busiest 6.5 hours of the day, ` +
        `with ${count(right.inSession)} of ${count(n)} bars; read as ${zone === 'UTC' ? 'America/New_York' : 'UTC'} it would hold ${count(wrong.inSession)}`,
    };
  }
  return {
    zone: null,
    basis:
      'neither an FX week nor the NYSE session (the busiest 6.5 hours at 09:30 New York) fits one zone alone',
  };
}

interface SessionShare {
  /** Bars in 09:30-16:00 New York. */
  readonly inSession: number;
  /** Bars in the busiest 6.5 hours of the day. */
  readonly busiest: number;
}

/** How many bars fall in the session's hours and in the busiest as long (New York minutes by `minuteOf`). */
function sessionShare(t: Float64Array, minuteOf: (t: number) => number): SessionShare {
  const histogram = new Int32Array(1440);
  for (let i = 0; i < t.length; i++) histogram[Math.floor(minuteOf(t[i]!)) % 1440]!++;
  let sum = 0;
  for (let m = 0; m < SESSION_MINUTES; m++) sum += histogram[m]!;
  let busiest = sum;
  let inSession = 0;
  for (let open = 1; open < 1440; open++) {
    sum += histogram[(open + SESSION_MINUTES - 1) % 1440]! - histogram[open - 1]!;
    if (sum > busiest) busiest = sum;
    if (open === SESSION_OPEN_MINUTE) inSession = sum;
  }
  return { inSession, busiest };
}

/** Day number and minutes after midnight of a naive stamp's wall clock (its value read as UTC). */
function wallClock(t: number): [number, number] {
  const days = Math.floor(t / DAY_MS);
  return [days, (t - days * DAY_MS) / MINUTE_MS];
}

/** Whether a time is within an hour of 17:00 on the given weekday (5 Friday, 0 Sunday). */
function isFxTurn(days: number, minute: number, weekday: number): boolean {
  return weekdayOfDays(days) === weekday && Math.abs(minute - FX_TURN_MINUTE) <= 60;
}
