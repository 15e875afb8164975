/**
 * Data quality report for one symbol and timeframe, and a repair that never invents bars.
 *
 * It works on raw columns as they were read or stored (possibly unsorted, duplicated or inconsistent), and
 * finds: missing bars against the NYSE calendar (holidays, early closes; regular hours, buckets aligned to
 * the 09:30 open), bars on days the exchange was closed, duplicates, unsorted rows, OHLC inconsistencies,
 * non-positive prices, bad volume, zero-volume runs, stale (flat, unchanged) price runs, return outliers,
 * probable unadjusted splits, and crypto day bars stamped at New York midnight rather than UTC midnight.
 *
 * Score (0..1): coverage x (1 - min(1, bad + 0.5 x flagged)) x 0.75^splits, where
 * - coverage = present / expected bars (weeks and months: every calendar period between the first and
 *   the last bar is expected, since no market closes for a whole one);
 * - bad = rows that cannot be used as they are (duplicates, rows out of order, OHLC inconsistent,
 *   non-positive or non-finite prices, bad volume) / rows;
 * - flagged = bars that are suspicious but may be real (in zero-volume runs, in stale runs, return
 *   outliers) / rows;
 * - every probable unadjusted split costs a quarter, since one breaks every backtest across it.
 */
import type { Bars, CalendarTimeframe, SessionTimeframe, Timeframe } from './bars.ts';
import { allocateBars, BAR_FIELDS, isCalendarTimeframe, TIMEFRAME_MINUTES } from './bars.ts';
import { median } from '../math/statistics.ts';
import { CALENDAR_HOURS, closedSlotsBetween, isClosedBar, type AssetCalendar } from './assetCalendar.ts';
import {
  barProblem,
  describeBarProblem,
  orderProblem,
  BAR_PROBLEMS,
  type BarProblemCode,
} from './validate.ts';
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  etDateKey,
  formatDateKey,
  etMinuteOfDay,
  pad2,
  etDays,
  sessionOnDays,
  sessionCountsBetween,
  EARLY_CLOSE_MINUTE,
  SESSION_CLOSE_MINUTE,
  SESSION_OPEN_MINUTE,
  type Session,
} from './calendar.ts';

/** Columns as read: same shape as Bars, but without the order and consistency guarantees. */
export type RawBars = Bars;

export type QualityProblemKind =
  | 'bad-time'
  | 'gap'
  | 'non-session-bar'
  | 'duplicate'
  | 'unsorted'
  | 'ohlc'
  | 'non-positive-price'
  | 'bad-volume'
  | 'zero-volume-run'
  | 'stale-price-run'
  | 'return-outlier'
  | 'probable-split'
  | 'new-york-day-stamp';

export const QUALITY_PROBLEM_KINDS: readonly QualityProblemKind[] = [
  'bad-time',
  'gap',
  'non-session-bar',
  'duplicate',
  'unsorted',
  'ohlc',
  'non-positive-price',
  'bad-volume',
  'zero-volume-run',
  'stale-price-run',
  'return-outlier',
  'probable-split',
  'new-york-day-stamp',
];

export interface QualityProblem {
  kind: QualityProblemKind;
  /** Time of the bar, or the start of the run/gap (epoch ms UTC). */
  t: number;
  /** End of a run or gap (exclusive for gaps: the start of the first bar after it). */
  endT?: number;
  /** Input row (0-based) of the bar, or of the first bar of a run. */
  row?: number;
  /** Bars in the run, missing bars in the gap. */
  count?: number;
  /** The failed check of core/data/validate.ts, for problems with one bar's values. */
  code?: BarProblemCode;
  message: string;
}

export interface QualityOptions {
  symbol: string;
  /** Timeframe of the bars; null for bars of no known timeframe: no coverage check. */
  timeframe: Timeframe | null;
  /** Shortest run of zero-volume bars reported. Default 1 (exchanges do not print zero-volume bars). */
  zeroVolumeMinRun?: number;
  /** Shortest run of flat, unchanged bars reported. Default 3 for daily, 15 for intraday. */
  staleMinRun?: number;
  /** Robust z-score above which a return is an outlier. Default 10. */
  outlierZ?: number;
  /** At most this many problems are listed (counts stay complete). Default 1000. */
  maxProblems?: number;
  /**
   * When the symbol trades (see assetCalendar.ts). Default 'equities': the NYSE calendar. FX and crypto
   * are checked against their own around-the-clock week, with no regular hours to be outside of.
   */
  calendar?: AssetCalendar;
}

export interface QualityReport {
  symbol: string;
  timeframe: Timeframe | null;
  rows: number;
  /** Distinct timestamps. */
  uniqueBars: number;
  firstT: number;
  lastT: number;
  /** The calendar the bars were judged by (the symbol's). */
  calendar: AssetCalendar;
  /** What the expected bars are, in words (expectedBarsBasis): which session, calendar or periods. */
  expectedFor: string;
  /** Calendar buckets between the first and the last bar, those with a bar, and those without. */
  expectedBars: number;
  presentBars: number;
  missingBars: number;
  coverage: number;
  /** Intraday bars on trading days but outside regular hours (extended hours: counted, not a problem). */
  outsideRegularHours: number;
  /** Problems found of each kind (complete, even when the list is truncated). */
  counts: Record<QualityProblemKind, number>;
  score: number;
  problems: QualityProblem[];
  truncated: boolean;
}

// ---------------------------------------------------------------------------------------------------------

const SPLIT_RATIOS: readonly (readonly [number, string])[] = [
  [2, '2:1'],
  [3, '3:1'],
  [4, '4:1'],
  [5, '5:1'],
  [7, '7:1'],
  [8, '8:1'],
  [10, '10:1'],
  [15, '15:1'],
  [20, '20:1'],
  [1.5, '3:2'],
  [1.25, '5:4'],
  [1 / 2, '1:2 reverse'],
  [1 / 3, '1:3 reverse'],
  [1 / 4, '1:4 reverse'],
  [1 / 5, '1:5 reverse'],
  [1 / 10, '1:10 reverse'],
  [1 / 20, '1:20 reverse'],
  [2 / 3, '2:3 reverse'],
];

/** "2024-02-20" for daily data, "2024-02-20 09:30 ET" for intraday. */
export function formatEt(t: number, dateOnly = false): string {
  const date = formatDateKey(etDateKey(t));
  if (dateOnly) return date;
  const minute = Math.floor(etMinuteOfDay(t));
  return `${date} ${pad2(Math.floor(minute / 60))}:${pad2(minute % 60)} ET`;
}

/** Input rows ordered by time (stable); the identity when already sorted. */
function timeOrder(t: Float64Array): Uint32Array {
  const n = t.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let sorted = true;
  for (let i = 1; i < n; i++) {
    if (!(t[i]! >= t[i - 1]!)) {
      sorted = false;
      break;
    }
  }
  if (!sorted) order.sort((a, b) => t[a]! - t[b]! || a - b);
  return order;
}

/** Why a row cannot be used as it is (validate.ts's definition, which the import edges apply too), or null. */
function rowProblem(bars: RawBars, row: number): BarProblemCode | null {
  return barProblem(bars.t[row]!, bars.o[row]!, bars.h[row]!, bars.l[row]!, bars.c[row]!, bars.v[row]!);
}

/** Median and scaled MAD (1.4826 x MAD: the standard deviation for normal data). */
function robustScale(values: Float64Array): { center: number; scale: number } {
  const center = median(values);
  const deviations = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) deviations[i] = Math.abs(values[i]! - center);
  return { center, scale: 1.4826 * median(deviations) };
}

interface CalendarCoverage {
  expected: number;
  present: number;
  gaps: { start: number; end: number; missing: number; before: number }[];
  outsideRegularHours: number;
  nonSessionBars: { t: number; row: number }[];
}

/**
 * A calendar bucket: the `bucket`-th of the session on day number `days` (intraday: buckets of the bar's
 * length aligned to the open; daily: one per session). `bucket` may equal the session's bucket count, the
 * point just after its last bucket; a closed day has none.
 */
interface BucketPosition {
  days: number;
  bucket: number;
}

/**
 * Calendar buckets between the first and the last bar, and which of them hold a bar. The work and memory
 * follow the bars, not the span: the buckets between two bars are counted from session counts (see
 * sessionCountsBetween) and a run of missing ones is one gap, so two bars centuries apart cost as
 * little as two bars a minute apart. `unique` lists input rows with distinct, increasing times. A gap's
 * `before` is the position in `unique` of the first bar after it.
 *
 * Expected buckets (intraday): those that end after the first bar and start at or before the last one;
 * daily: every session of the dates spanned (a day bar is stamped at midnight, before the open).
 */
function calendarCoverage(bars: RawBars, unique: Uint32Array, timeframe: SessionTimeframe): CalendarCoverage {
  const t = bars.t;
  const firstT = t[unique[0]!]!;
  const lastT = t[unique[unique.length - 1]!]!;
  const daily = timeframe === '1d';
  const barMs = TIMEFRAME_MINUTES[timeframe] * MINUTE_MS;
  const bucketsOfMinutes = (minutes: number): number =>
    daily ? 1 : Math.ceil((minutes * MINUTE_MS) / barMs);
  const regularBuckets = bucketsOfMinutes(SESSION_CLOSE_MINUTE - SESSION_OPEN_MINUTE);
  const earlyBuckets = bucketsOfMinutes(EARLY_CLOSE_MINUTE - SESSION_OPEN_MINUTE);
  // The session of the day last asked about: bars come in time order, so most lookups repeat it.
  let cachedDays = NaN;
  let cachedSession: Session | null = null;
  const sessionOn = (days: number): Session | null => {
    if (days !== cachedDays) {
      cachedDays = days;
      cachedSession = sessionOnDays(days);
    }
    return cachedSession;
  };
  const bucketsOn = (days: number): number => {
    const session = sessionOn(days);
    return session === null ? 0 : daily ? 1 : Math.ceil((session.close - session.open) / barMs);
  };
  /** Expected buckets from `from` (included) to `to` (excluded); `from` is not after `to`. */
  const bucketsBetween = (from: BucketPosition, to: BucketPosition): number => {
    if (from.days === to.days) return to.bucket - from.bucket;
    const between = sessionCountsBetween(from.days + 1, to.days);
    return (
      bucketsOn(from.days) -
      from.bucket +
      between.sessions * regularBuckets -
      between.earlyCloses * (regularBuckets - earlyBuckets) +
      to.bucket
    );
  };
  /** Start time of the first bucket at or after `at` (one exists: a later bar or the last bar's day). */
  const bucketStart = (at: BucketPosition): number => {
    let { days, bucket } = at;
    while (bucket >= bucketsOn(days)) {
      days++;
      bucket = 0;
    }
    const session = sessionOn(days)!;
    return daily ? session.open : session.open + bucket * barMs;
  };
  /** The bucket holding time `time` on day `days` (intraday: the first one ending after it). */
  const bucketAt = (days: number, time: number): BucketPosition => {
    const session = sessionOn(days);
    if (daily || session === null || time < session.open) return { days, bucket: 0 };
    // After the close: past every bucket (a 4h session's last bucket is cut short, so dividing misses it).
    if (time >= session.close) return { days, bucket: bucketsOn(days) };
    return { days, bucket: Math.floor((time - session.open) / barMs) };
  };

  const firstDays = etDays(firstT);
  const lastDays = etDays(lastT);
  // The first expected bucket, and the point just after the last one.
  let next = bucketAt(firstDays, firstT);
  const lastSession = sessionOn(lastDays);
  const end: BucketPosition =
    daily || lastSession === null
      ? { days: lastDays, bucket: bucketsOn(lastDays) }
      : {
          days: lastDays,
          bucket:
            lastT < lastSession.open
              ? 0
              : Math.min(bucketsOn(lastDays), Math.floor((lastT - lastSession.open) / barMs) + 1),
        };

  let present = 0;
  const gaps: CalendarCoverage['gaps'] = [];
  let outsideRegularHours = 0;
  const nonSessionBars: { t: number; row: number }[] = [];
  let lastHolder = -1;
  for (let u = 0; u < unique.length; u++) {
    const time = t[unique[u]!]!;
    const days = etDays(time);
    const session = sessionOn(days);
    if (session === null) {
      nonSessionBars.push({ t: time, row: unique[u]! });
      continue;
    }
    if (!daily && (time < session.open || time >= session.close)) {
      outsideRegularHours++;
      continue;
    }
    const at = bucketAt(days, time);
    // A later bar in a bucket that already has one.
    if (at.days < next.days || (at.days === next.days && at.bucket < next.bucket)) continue;
    const missing = bucketsBetween(next, at);
    if (missing > 0) gaps.push({ start: bucketStart(next), end: bucketStart(at), missing, before: u });
    present++;
    lastHolder = u;
    next = { days: at.days, bucket: at.bucket + 1 };
  }
  const trailing = end.days > next.days || (end.days === next.days && end.bucket > next.bucket);
  const missingAtEnd = trailing ? bucketsBetween(next, end) : 0;
  if (missingAtEnd > 0) {
    gaps.push({ start: bucketStart(next), end: lastT, missing: missingAtEnd, before: lastHolder + 1 });
  }
  return {
    expected: present + gaps.reduce((sum, gap) => sum + gap.missing, 0),
    present,
    gaps,
    outsideRegularHours,
    nonSessionBars,
  };
}

/**
 * What the checks found so far: the problems (at most `maxProblems` listed, every one counted), and the
 * rows that count against the score as bad or as flagged.
 */
export class QualityFindings {
  readonly counts = Object.fromEntries(QUALITY_PROBLEM_KINDS.map((k) => [k, 0])) as Record<
    QualityProblemKind,
    number
  >;
  readonly problems: QualityProblem[] = [];
  badRows = 0;
  flaggedBars = 0;

  constructor(
    /** Daily (or coarser) bars: times are shown as dates. */
    readonly daily: boolean,
    private readonly maxProblems = 1000,
  ) {}

  add(problem: QualityProblem): void {
    this.counts[problem.kind]++;
    if (this.problems.length < this.maxProblems) this.problems.push(problem);
  }

  when(time: number): string {
    return formatEt(time, this.daily);
  }
}

/** Rows earlier than the row before them (each is a bad row). */
export function findUnsortedRows(bars: RawBars, findings: QualityFindings): void {
  const t = bars.t;
  for (let i = 1; i < t.length; i++) {
    if (orderProblem(t[i]!, t[i - 1]!) !== 'time-unsorted') continue;
    findings.add({
      kind: 'unsorted',
      t: t[i]!,
      row: i,
      message: `row ${i + 1} (${findings.when(t[i]!)}) comes after a later bar`,
    });
    findings.badRows++;
  }
}

/**
 * Repeated times (each repeat is a bad row; the first occurrence in input order is kept). Returns the
 * rows with distinct times in time order.
 */
export function findDuplicates(bars: RawBars, findings: QualityFindings): Uint32Array {
  const { t, o, h, l, c, v } = bars;
  const order = timeOrder(t);
  const unique = new Uint32Array(t.length);
  let count = 0;
  for (let k = 0; k < t.length; k++) {
    const row = order[k]!;
    if (count === 0 || orderProblem(t[row]!, t[unique[count - 1]!]!) !== 'time-duplicate') {
      unique[count++] = row;
      continue;
    }
    const kept = unique[count - 1]!;
    const same =
      o[kept] === o[row] &&
      h[kept] === h[row] &&
      l[kept] === l[row] &&
      c[kept] === c[row] &&
      v[kept] === v[row];
    findings.add({
      kind: 'duplicate',
      t: t[row]!,
      row,
      message: `row ${row + 1} repeats ${findings.when(t[row]!)} of row ${kept + 1}${same ? '' : ' with different values'}`,
    });
    findings.badRows++;
  }
  return unique.subarray(0, count);
}

/** Bars that fail validate.ts's checks (each a bad row). Returns 1 for each usable one of `unique`. */
export function findBadBars(bars: RawBars, unique: Uint32Array, findings: QualityFindings): Uint8Array {
  const { t, o, h, l, c, v } = bars;
  const valid = new Uint8Array(unique.length);
  for (let u = 0; u < unique.length; u++) {
    const row = unique[u]!;
    const code = rowProblem(bars, row);
    if (code === null) {
      valid[u] = 1;
      continue;
    }
    // Formatted only for bad rows: this loop visits every bar.
    const at = findings.when(t[row]!);
    const bar = { t: t[row]!, o: o[row]!, h: h[row]!, l: l[row]!, c: c[row]!, v: v[row]! };
    const detail = describeBarProblem(code, bar, { time: at, previous: '' });
    findings.add({
      kind: BAR_PROBLEMS[code].category,
      code,
      t: t[row]!,
      row,
      message: `${at}: ${detail} (o ${bar.o}, h ${bar.h}, l ${bar.l}, c ${bar.c}, v ${bar.v})`,
    });
    findings.badRows++;
  }
  return valid;
}

/**
 * Runs of consecutive usable bars (of `unique`, where `valid`) that `inRun` puts in a run, reported when
 * at least `minRun` long; each bar of a reported run is flagged.
 */
function findRuns(
  bars: RawBars,
  unique: Uint32Array,
  valid: Uint8Array,
  findings: QualityFindings,
  kind: 'zero-volume-run' | 'stale-price-run',
  minRun: number,
  inRun: (row: number, previousRow: number) => boolean,
): void {
  const { t, c } = bars;
  let run = 0;
  let previousValid = -1;
  const close = (endU: number): void => {
    if (run >= minRun) {
      const firstRow = unique[endU - run + 1]!;
      const lastRow = unique[endU]!;
      const what = kind === 'zero-volume-run' ? 'zero volume' : `flat bars unchanged at ${c[lastRow]}`;
      findings.add({
        kind,
        t: t[firstRow]!,
        endT: t[lastRow]!,
        row: firstRow,
        count: run,
        message: `${run} bar${run === 1 ? '' : 's'} of ${what} from ${findings.when(t[firstRow]!)} to ${findings.when(t[lastRow]!)}`,
      });
      findings.flaggedBars += run;
    }
    run = 0;
  };
  for (let u = 0; u < unique.length; u++) {
    if (valid[u] === 0) continue;
    if (inRun(unique[u]!, previousValid === -1 ? -1 : unique[previousValid]!)) run++;
    else if (run > 0) close(previousValid);
    previousValid = u;
  }
  if (run > 0) close(previousValid);
}

/** Runs of zero-volume bars (exchanges do not print a bar without trades). */
export function findZeroVolumeRuns(
  bars: RawBars,
  unique: Uint32Array,
  valid: Uint8Array,
  findings: QualityFindings,
  minRun: number,
): void {
  const v = bars.v;
  findRuns(bars, unique, valid, findings, 'zero-volume-run', minRun, (row) => v[row] === 0);
}

/** Runs of flat bars (open = high = low = close) unchanged from the bar before: a stale feed. */
export function findStaleRuns(
  bars: RawBars,
  unique: Uint32Array,
  valid: Uint8Array,
  findings: QualityFindings,
  minRun: number,
): void {
  const { o, h, l, c } = bars;
  findRuns(bars, unique, valid, findings, 'stale-price-run', minRun, (row, previousRow) => {
    const flat = o[row] === c[row] && h[row] === l[row] && o[row] === h[row];
    return flat && previousRow !== -1 && c[previousRow] === c[row];
  });
}

/** Log returns between consecutive usable bars, split into within-session and across-session ones. */
export interface ReturnSeries {
  /** Rows of the bars the returns are between (return k is from rows[k] to rows[k + 1]). */
  readonly rows: Uint32Array;
  readonly returns: Float64Array;
  /** 1 where the return crosses a session boundary. */
  readonly overnight: Uint8Array;
  /** Median and scaled MAD of within-session [0] and across-session [1] returns. */
  readonly scales: readonly { center: number; scale: number }[];
}

/**
 * Returns between consecutive valid bars (intraday: regular-hours bars only, since sparse extended-hours
 * bars move differently): close-to-close within a session, close-to-open across sessions (where splits
 * take effect), each group with its own robust scale.
 */
export function sessionReturns(
  bars: RawBars,
  unique: Uint32Array,
  valid: Uint8Array,
  daily: boolean,
): ReturnSeries {
  const { t, o, c } = bars;
  const rows = new Uint32Array(unique.length);
  let count = 0;
  let sessionDays = NaN;
  let session: Session | null = null;
  for (let u = 0; u < unique.length; u++) {
    if (valid[u] === 0) continue;
    const time = t[unique[u]!]!;
    if (!daily) {
      const days = etDays(time);
      if (days !== sessionDays) {
        sessionDays = days;
        session = sessionOnDays(days);
      }
      if (session === null || time < session.open || time >= session.close) continue;
    }
    rows[count++] = unique[u]!;
  }
  const returnCount = Math.max(0, count - 1);
  const returns = new Float64Array(returnCount);
  const overnight = new Uint8Array(returnCount);
  let overnightCount = 0;
  let currentDay = count > 0 ? etDateKey(t[rows[0]!]!) : 0;
  for (let k = 0; k < returnCount; k++) {
    const previous = rows[k]!;
    const row = rows[k + 1]!;
    const day = etDateKey(t[row]!);
    const crossesSession = daily || day !== currentDay;
    currentDay = day;
    overnight[k] = crossesSession ? 1 : 0;
    if (crossesSession) overnightCount++;
    // Across sessions for intraday data, compare the open (the gap); daily bars compare closes.
    returns[k] = Math.log((crossesSession && !daily ? o[row]! : c[row]!) / c[previous]!);
  }
  const gather = (flag: number): Float64Array => {
    const out = new Float64Array(flag === 1 ? overnightCount : returnCount - overnightCount);
    for (let k = 0, m = 0; k < returnCount; k++) if (overnight[k] === flag) out[m++] = returns[k]!;
    return out;
  };
  return {
    rows: rows.subarray(0, count),
    returns,
    overnight,
    scales: [robustScale(gather(0)), robustScale(gather(1))],
  };
}

/**
 * Probable unadjusted splits: a session-boundary ratio (previous close / next open) near a split ratio,
 * far outside normal moves, and persistent (the price level after stays shifted by the same ratio).
 * Returns 1 for each return explained as a split (not an outlier then).
 */
export function findProbableSplits(
  bars: RawBars,
  series: ReturnSeries,
  findings: QualityFindings,
): Uint8Array {
  const { t, o, c } = bars;
  const { rows, overnight } = series;
  const returnCount = series.returns.length;
  const splitReturn = new Uint8Array(returnCount);
  const window = findings.daily ? 5 : 30;
  for (let k = 0; k < returnCount; k++) {
    if (overnight[k] === 0) continue;
    const previous = rows[k]!;
    const row = rows[k + 1]!;
    const open = o[row]!;
    const ratio = c[previous]! / open;
    const logRatio = Math.log(ratio);
    if (Math.abs(logRatio) < Math.log(1.2)) continue;
    const scale = series.scales[1]!;
    if (scale.scale > 0 && Math.abs((-logRatio - scale.center) / scale.scale) < 4) continue;
    const match = SPLIT_RATIOS.find((candidate) => Math.abs(logRatio - Math.log(candidate[0])) < 0.03);
    if (match === undefined) continue;
    const before = new Float64Array(Math.min(window, k + 1));
    for (let j = 0; j < before.length; j++) before[j] = c[rows[k - j]!]!;
    const after = new Float64Array(Math.min(window, rows.length - (k + 1)));
    for (let j = 0; j < after.length; j++) after[j] = c[rows[k + 1 + j]!]!;
    if (after.length < Math.min(window, 3)) continue;
    if (Math.abs(Math.log(median(before) / median(after)) - Math.log(match[0])) > 0.08) continue;
    splitReturn[k] = 1;
    findings.add({
      kind: 'probable-split',
      t: t[row]!,
      row,
      message: `${findings.when(t[row]!)}: price moved by ${match[1]} (close ${c[previous]} -> open ${open}) and stayed there: probably an unadjusted split`,
    });
  }
  return splitReturn;
}

/** Returns beyond `outlierZ` robust z-scores of their group (splits excepted); each bar is flagged. */
export function findReturnOutliers(
  bars: RawBars,
  series: ReturnSeries,
  splitReturn: Uint8Array,
  findings: QualityFindings,
  outlierZ: number,
): void {
  const t = bars.t;
  const { returns, overnight } = series;
  for (let k = 0; k < returns.length; k++) {
    if (splitReturn[k] === 1) continue;
    const scale = series.scales[overnight[k]!]!;
    if (!(scale.scale > 0)) continue;
    const z = (returns[k]! - scale.center) / scale.scale;
    if (Math.abs(z) <= outlierZ) continue;
    const row = series.rows[k + 1]!;
    const pct = (Math.exp(returns[k]!) - 1) * 100;
    findings.add({
      kind: 'return-outlier',
      t: t[row]!,
      row,
      message: `${findings.when(t[row]!)}: ${overnight[k] === 1 && !findings.daily ? 'gap' : 'return'} of ${pct.toFixed(2)}% (robust z ${z.toFixed(1)})`,
    });
    findings.flaggedBars++;
  }
}

/**
 * Coverage against the NYSE calendar: a problem per gap of missing bars and per closed day that has bars.
 * Returns the calendar buckets expected and present, and the bars outside regular hours.
 */
export function findCalendarProblems(
  bars: RawBars,
  unique: Uint32Array,
  timeframe: SessionTimeframe,
  findings: QualityFindings,
): { expected: number; present: number; outsideRegularHours: number } {
  const coverage = calendarCoverage(bars, unique, timeframe);
  for (const gap of coverage.gaps) {
    findings.add({
      kind: 'gap',
      t: gap.start,
      endT: gap.end,
      count: gap.missing,
      message: `${gap.missing} missing bar${gap.missing === 1 ? '' : 's'} from ${findings.when(gap.start)}`,
    });
  }
  // One problem per closed day that has bars.
  const closedDayBars = coverage.nonSessionBars;
  for (let i = 0; i < closedDayBars.length;) {
    const day = etDateKey(closedDayBars[i]!.t);
    let j = i + 1;
    while (j < closedDayBars.length && etDateKey(closedDayBars[j]!.t) === day) j++;
    findings.add({
      kind: 'non-session-bar',
      t: closedDayBars[i]!.t,
      endT: closedDayBars[j - 1]!.t,
      row: closedDayBars[i]!.row,
      count: j - i,
      message: `${j - i} bar${j - i === 1 ? '' : 's'} on ${formatEt(closedDayBars[i]!.t, true)}, a day the exchange was closed`,
    });
    i = j;
  }
  return coverage;
}

/**
 * Coverage of an around-the-clock market (FX, crypto): every bar-length slot between the first and the
 * last bar is expected except the closed ones (FX weekends); bars inside a closed window are reported as
 * on a closed day. Nothing is outside regular hours: the market has none.
 */
function findAroundTheClockProblems(
  bars: RawBars,
  unique: Uint32Array,
  timeframe: SessionTimeframe,
  calendar: 'fx' | 'crypto',
  findings: QualityFindings,
): { expected: number; present: number; outsideRegularHours: number } {
  const t = bars.t;
  const barMs = TIMEFRAME_MINUTES[timeframe] * MINUTE_MS;
  const daily = barMs >= DAY_MS;
  let present = 0;
  let missingTotal = 0;
  let previous = NaN;
  const closedAt = (time: number): boolean => isClosedBar(calendar, time, daily);
  for (let u = 0; u < unique.length; u++) {
    const time = t[unique[u]!]!;
    if (closedAt(time)) {
      findings.add({
        kind: 'non-session-bar',
        t: time,
        row: unique[u]!,
        count: 1,
        message: `a bar at ${findings.when(time)}, when the ${calendar.toUpperCase()} market is closed`,
      });
      continue;
    }
    if (!Number.isNaN(previous)) {
      // Days are counted by date, not by 24 h: days stamped at a New York time are 25 h apart across
      // the autumn clock change, which would read as a missing day.
      const slots = daily
        ? Math.floor((time + 12 * HOUR_MS) / DAY_MS) - Math.floor((previous + 12 * HOUR_MS) / DAY_MS) - 1
        : Math.ceil((time - previous) / barMs) - 1;
      const missing = slots - closedSlotsBetween(calendar, previous, time, barMs);
      if (missing > 0) {
        missingTotal += missing;
        // A hole that follows a weekend starts when the market reopens, not at the Friday close.
        let start = previous + barMs;
        while (closedAt(start)) start += barMs;
        findings.add({
          kind: 'gap',
          t: start,
          endT: time,
          count: missing,
          message: `${missing} missing bar${missing === 1 ? '' : 's'} from ${findings.when(start)}`,
        });
      }
    }
    present++;
    previous = time;
  }
  return { expected: present + missingTotal, present, outsideRegularHours: 0 };
}

/**
 * Crypto day (week, month) bars stamped at 00:00 New York (04:00 or 05:00 UTC) instead of 00:00 UTC: one
 * note for the series, at its first such bar. Crypto never closes, so its days run from 00:00 UTC (as
 * Alpaca stamps them and an import now stores them, utcDayStamp); bars stored by an older import of a
 * date-only file sit at New York midnight, so each "day" is 4-5 hours late against any UTC-day source.
 * The bars are not counted against the score: their prices are sound, only their stamps are off.
 */
export function findNewYorkDayStamps(bars: RawBars, unique: Uint32Array, findings: QualityFindings): void {
  const t = bars.t;
  let first = -1;
  let count = 0;
  for (let u = 0; u < unique.length; u++) {
    const time = t[unique[u]!]!;
    if (etMinuteOfDay(time) !== 0) continue;
    if (first < 0) first = u;
    count++;
  }
  if (count === 0) return;
  const firstT = t[unique[first]!]!;
  const hour = new Date(firstT).getUTCHours();
  findings.add({
    kind: 'new-york-day-stamp',
    t: firstT,
    row: unique[first]!,
    count,
    message:
      `${count} of ${unique.length} crypto day bars are stamped at 00:00 New York (${pad2(hour)}:00 UTC on ` +
      `${formatDateKey(etDateKey(firstT))}), not 00:00 UTC: crypto trades around the clock and its days run ` +
      'from 00:00 UTC, as Alpaca stamps them; import the file again to restamp them',
  });
}

/**
 * Coverage of week or month bars: every calendar period (Monday-based weeks, months) between the first
 * and the last bar is expected, whatever the calendar, so each run of missing ones is a gap. A bar's
 * period is that of its stamped date: +12 h reads a midnight stamp of any zone within 12 h of UTC as its
 * own date (Alpaca's midnight New York, a file's midnight UTC).
 */
function findMissingPeriods(
  bars: RawBars,
  unique: Uint32Array,
  period: CalendarTimeframe,
  findings: QualityFindings,
): { expected: number; present: number; outsideRegularHours: number } {
  const t = bars.t;
  const days = (time: number): number => Math.floor((time + 12 * HOUR_MS) / DAY_MS);
  // 1970-01-01 was a Thursday: day + 3 counts from a Monday.
  const index = (time: number): number => {
    if (period === '1w') return Math.floor((days(time) + 3) / 7);
    const date = new Date(days(time) * DAY_MS);
    return date.getUTCFullYear() * 12 + date.getUTCMonth();
  };
  // A gap starts on the first day of its first missing period, at the time of day the bars are stamped.
  const start = (k: number, stamped: number): number =>
    (period === '1w' ? (k * 7 - 3) * DAY_MS : Date.UTC(Math.floor(k / 12), k % 12, 1)) +
    stamped -
    days(stamped) * DAY_MS;
  const noun = period === '1w' ? 'week' : 'month';
  let missingTotal = 0;
  for (let u = 1; u < unique.length; u++) {
    const time = t[unique[u]!]!;
    const previous = t[unique[u - 1]!]!;
    const missing = index(time) - index(previous) - 1;
    if (missing <= 0) continue;
    missingTotal += missing;
    const from = start(index(previous) + 1, previous);
    findings.add({
      kind: 'gap',
      t: from,
      endT: time,
      count: missing,
      message: `${missing} missing ${noun}${missing === 1 ? '' : 's'} from ${findings.when(from)}`,
    });
  }
  return { expected: unique.length + missingTotal, present: unique.length, outsideRegularHours: 0 };
}

/**
 * What a report's expected bars are, in words: the bars of which session or calendar (an equities
 * symbol's intraday bars are expected in regular hours only, so SPY's extended-hours minutes are neither
 * expected nor missing), or which periods.
 */
export function expectedBarsBasis(timeframe: Timeframe | null, calendar: AssetCalendar): string {
  if (timeframe === null) return 'the bars present (no timeframe, so no calendar to count by)';
  if (timeframe === '1w') return 'every week (Monday-based) from the first bar to the last';
  if (timeframe === '1mo') return 'every calendar month from the first bar to the last';
  const daily = timeframe === '1d';
  switch (calendar) {
    case 'equities':
      return daily
        ? 'NYSE trading days (weekends and holidays closed)'
        : `${timeframe} bars in ${CALENDAR_HOURS.equities}; extended-hours bars are not expected`;
    case 'fx':
      return daily ? 'FX days, Monday to Friday' : `${timeframe} bars in ${CALENDAR_HOURS.fx}`;
    case 'crypto':
      return daily
        ? 'every day, from 00:00 UTC (crypto never closes)'
        : `${timeframe} bars ${CALENDAR_HOURS.crypto}`;
  }
}

/** Quality report of raw bars (see the module comment for checks and score). */
export function assessQuality(bars: RawBars, options: QualityOptions): QualityReport {
  const { t } = bars;
  const n = t.length;
  const timeframe = options.timeframe;
  const daily = timeframe === null || timeframe === '1d' || isCalendarTimeframe(timeframe);
  const findings = new QualityFindings(daily, options.maxProblems);
  findUnsortedRows(bars, findings);
  const unique = findDuplicates(bars, findings);
  const valid = findBadBars(bars, unique, findings);
  findZeroVolumeRuns(bars, unique, valid, findings, options.zeroVolumeMinRun ?? 1);
  findStaleRuns(bars, unique, valid, findings, options.staleMinRun ?? (daily ? 3 : 15));
  const series = sessionReturns(bars, unique, valid, daily);
  const splitReturn = findProbableSplits(bars, series, findings);
  findReturnOutliers(bars, series, splitReturn, findings, options.outlierZ ?? 10);
  const uniqueCount = unique.length;
  const calendar = options.calendar ?? 'equities';
  const coverage =
    timeframe === null || uniqueCount === 0
      ? { expected: uniqueCount, present: uniqueCount, outsideRegularHours: 0 }
      : isCalendarTimeframe(timeframe)
        ? findMissingPeriods(bars, unique, timeframe, findings)
        : calendar === 'equities'
          ? findCalendarProblems(bars, unique, timeframe, findings)
          : findAroundTheClockProblems(bars, unique, timeframe, calendar, findings);
  if (calendar === 'crypto' && timeframe !== null && (timeframe === '1d' || isCalendarTimeframe(timeframe)))
    findNewYorkDayStamps(bars, unique, findings);

  const { counts, problems } = findings;
  const coverageFraction = coverage.expected > 0 ? coverage.present / coverage.expected : 1;
  const badFraction = n > 0 ? findings.badRows / n : 0;
  const flaggedFraction = n > 0 ? findings.flaggedBars / n : 0;
  const score = Math.max(
    0,
    Math.min(
      1,
      coverageFraction *
        (1 - Math.min(1, badFraction + 0.5 * flaggedFraction)) *
        0.75 ** counts['probable-split'],
    ),
  );
  problems.sort((a, b) => a.t - b.t);
  return {
    symbol: options.symbol,
    timeframe,
    rows: n,
    uniqueBars: uniqueCount,
    firstT: uniqueCount > 0 ? t[unique[0]!]! : NaN,
    lastT: uniqueCount > 0 ? t[unique[uniqueCount - 1]!]! : NaN,
    calendar,
    expectedFor: expectedBarsBasis(timeframe, calendar),
    expectedBars: coverage.expected,
    presentBars: coverage.present,
    missingBars: coverage.expected - coverage.present,
    coverage: coverageFraction,
    outsideRegularHours: coverage.outsideRegularHours,
    counts,
    score,
    problems,
    truncated: problems.length < QUALITY_PROBLEM_KINDS.reduce((sum, k) => sum + counts[k], 0),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Repair

export interface RepairResult {
  /** Sorted, distinct, valid bars: a subset of the input rows, never a made-up bar. */
  bars: Bars;
  /** Input row of each output bar. */
  rows: Uint32Array;
  /** 1 where calendar bars are missing just before this bar (the gap is marked, not filled). */
  gapBefore: Uint8Array;
  /** Rows left out and why ('closed-market': a bar when an around-the-clock market is closed). */
  dropped: { row: number; reason: BarProblemCode | 'closed-market' }[];
}

/**
 * Repairs what can be repaired without inventing data: sorts by time, drops duplicate timestamps (the
 * first row in input order is kept), drops rows with invalid prices or volume, drops an FX symbol's bars
 * from when its market is closed (the weekend from Friday 17:00 New York, which the report flags as
 * non-session bars: no trade happened there), and marks where calendar bars are missing. Zero-volume,
 * stale, outlier and split findings are left for the user to judge, and so are an exchange's bars on a
 * closed day (an equities feed's holiday bars may be real prints of an early close moved).
 */
export function repairBars(
  bars: RawBars,
  timeframe: SessionTimeframe | null,
  calendar: AssetCalendar = 'equities',
): RepairResult {
  const closed =
    calendar === 'equities' || timeframe === null
      ? null
      : (time: number): boolean => isClosedBar(calendar, time, timeframe === '1d');
  const t = bars.t;
  const n = t.length;
  const order = timeOrder(t);
  const keep = new Uint32Array(n);
  let kept = 0;
  const dropped: RepairResult['dropped'] = [];
  let lastTime = NaN;
  for (let k = 0; k < n; k++) {
    const row = order[k]!;
    if (t[row] === lastTime) {
      dropped.push({ row, reason: 'time-duplicate' });
      continue;
    }
    lastTime = t[row]!;
    const problem = rowProblem(bars, row) ?? (closed?.(t[row]!) ? 'closed-market' : null);
    if (problem !== null) {
      dropped.push({ row, reason: problem });
      continue;
    }
    keep[kept++] = row;
  }
  dropped.sort((a, b) => a.row - b.row);
  const rows = keep.slice(0, kept);
  const out = allocateBars(kept);
  for (const field of BAR_FIELDS) {
    const from = bars[field];
    const to = out[field];
    for (let k = 0; k < kept; k++) to[k] = from[rows[k]!]!;
  }
  const gapBefore = new Uint8Array(kept);
  if (timeframe !== null && kept > 0) {
    const identity = new Uint32Array(kept);
    for (let k = 0; k < kept; k++) identity[k] = k;
    for (const gap of calendarCoverage(out, identity, timeframe).gaps) {
      if (gap.before < kept) gapBefore[gap.before] = 1;
    }
  }
  return { bars: out, rows, gapBefore, dropped };
}
