/**
 * Walk-forward analysis, independent of the engine: the caller supplies `optimize(train window) ->
 * params` and `evaluate(range, params) -> equity`. Windows roll (fixed-length train) or are anchored
 * (train always starts at the first bar); each window's winner is tested on the following test window;
 * the out-of-sample equity is stitched by chaining returns; out-of-sample metrics come from
 * core/metrics (computeEquityMetrics), like every other metric in Regimen.
 *
 * Overlap: with the default step (7 days) shorter than the test window (30 days), test windows overlap.
 * The stitched curve uses each window's test only until the next window's test begins (at any time the
 * parameters in force are the most recently optimised ones); per-window out-of-sample metrics use the
 * whole test window.
 *
 * Purge: `purge` units are taken from the end of each train window (as the regime comparison takes its gap),
 * so the bars the winner is scored on stop that long before its test window opens; test windows are where
 * they would be without it. The bars of a test window never reach its train score either way (the train
 * range ends before it); the gap keeps the test's first decisions, made on indicators over the bars just
 * before it, and the trades open when it opens, off the bars the parameters were fitted to.
 */
import { firstIndexAtOrAfter } from '../data/bars.ts';
import { tradingDays } from '../data/assetCalendar.ts';
import { DAY_MS } from '../data/calendar.ts';
import { computeEquityMetrics } from '../metrics/metrics.ts';
import { mean as meanOf, variance } from '../math/statistics.ts';
import type { Params, ParamValue, SearchSpace } from './space.ts';
import { findParam } from './space.ts';
import type { MetricSet } from './slices.ts';

export interface WalkForwardOptions {
  /** 'rolling' (default): train windows of fixed length. 'anchored': every train window starts at bar 0. */
  readonly mode?: 'rolling' | 'anchored';
  /** Units of train/test/step (whole numbers): calendar days, cut where the market's day begins (default), or bars. */
  readonly unit?: 'days' | 'bars';
  /** Train length; 365 days by default. */
  readonly train?: number;
  /** Test length; 30 days by default. */
  readonly test?: number;
  /** Distance between consecutive windows; 7 days by default. */
  readonly step?: number;
  /** Units (whole, 0 or more) between the end of each train window and its test window, taken from the train window; 0 by default. */
  readonly purge?: number;
}

/** A range of bars [start, end) with the times of its first bar and of the bar after it (or its end). */
export interface BarRange {
  readonly start: number;
  readonly end: number;
  readonly startTime: number;
  /** Exclusive: the time of bar `end` when there is one, else the nominal end of the window. */
  readonly endTime: number;
}

export interface WalkForwardWindow {
  readonly index: number;
  /** The bars the window's parameters are chosen on: ends at the first purged bar (the test's first without a purge). */
  readonly train: BarRange;
  readonly test: BarRange;
  /** The part of `test` used in the stitched out-of-sample curve (until the next window's test starts). */
  readonly stitch: BarRange;
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value))
    throw new Error(`walk-forward: ${name} must be a positive number (got ${value})`);
  return value;
}

function wholeNumbers(unit: 'days' | 'bars', train: number, test: number, step: number): void {
  for (const [name, v] of [
    ['train', train],
    ['test', test],
    ['step', step],
  ] as const) {
    if (!Number.isInteger(v))
      throw new Error(`walk-forward: ${name} in ${unit} must be an integer (got ${v})`);
  }
}

/**
 * The shortest last test window scored as one, as a share of a test window: the bars left over after
 * the last whole step can make a test of two bars, whose Sharpe skews a walk-forward's or a scorecard's
 * figures (ORCL's day bars ended the scorecard on one).
 */
export const MIN_LAST_TEST_SHARE = 0.5;

/**
 * A last test window shorter than {@link MIN_LAST_TEST_SHARE} of a test window (in the windows' unit,
 * measured by `length`) is folded into the window before when their tests meet (its test then runs to
 * the data's end), and dropped when they do not (a step longer than the test leaves bars between them).
 * Only where the tests do not overlap (a step of at least a test): a step shorter than the test cuts
 * every trailing window's test at the data's end, each stitched over its step alone.
 */
function foldShortLastTest(
  raw: { train: BarRange; test: BarRange }[],
  test: number,
  step: number,
  length: (range: BarRange) => number,
): void {
  const last = raw[raw.length - 1];
  const before = raw[raw.length - 2];
  if (last === undefined || before === undefined || step < test) return;
  if (length(last.test) >= MIN_LAST_TEST_SHARE * test) return;
  raw.pop();
  if (before.test.end >= last.test.start)
    before.test = { ...before.test, end: last.test.end, endTime: last.test.endTime };
}

/**
 * The windows over bar times `t` (epoch ms, increasing). Throws when not even one window fits. In days,
 * a window starts at the first bar of its first day (the market's day: see tradingDays); each range's times are
 * those of its first bar and of the bar after it (the nominal end of the last day when there is none).
 */
export function walkForwardWindows(
  t: ArrayLike<number>,
  options: WalkForwardOptions = {},
): WalkForwardWindow[] {
  const mode = options.mode ?? 'rolling';
  const unit = options.unit ?? 'days';
  const train = positive('train', options.train ?? 365);
  const test = positive('test', options.test ?? 30);
  const step = positive('step', options.step ?? 7);
  const purge = options.purge ?? 0;
  if (!Number.isInteger(purge) || purge < 0)
    throw new Error(`walk-forward: purge in ${unit} must be a whole number, 0 or more (got ${purge})`);
  const n = t.length;
  if (n === 0) throw new Error('walk-forward: no bars');
  const range = (start: number, end: number, nominalEnd: number): BarRange => ({
    start,
    end,
    startTime: t[start]!,
    endTime: end < n ? t[end]! : nominalEnd,
  });

  const raw: { train: BarRange; test: BarRange }[] = [];
  // The train window less its purged end: refused when nothing is left to choose parameters on.
  const trainRange = (start: number, purgedEnd: number): BarRange => {
    if (purge > 0 && purgedEnd - start < 2)
      throw new Error(
        `walk-forward: a purge of ${purge} ${unit} leaves ${Math.max(0, purgedEnd - start)} bars in window ${raw.length}'s ` +
          `train window of ${train} ${unit}; give a shorter purge or a longer train window`,
      );
    return range(start, purgedEnd, t[purgedEnd]!);
  };
  if (unit === 'bars') {
    wholeNumbers('bars', train, test, step);
    for (let k = 0; ; k++) {
      const trainStart = mode === 'anchored' ? 0 : k * step;
      const trainEnd = k * step + train;
      if (trainEnd >= n) break;
      const testEnd = Math.min(n, trainEnd + test);
      raw.push({
        train: trainRange(trainStart, trainEnd - purge),
        test: range(trainEnd, testEnd, t[n - 1]! + 1),
      });
    }
    foldShortLastTest(raw, test, step, (bars) => bars.end - bars.start);
  } else {
    wholeNumbers('days', train, test, step);
    // Counted in the market's days, not 24-hour steps from the first bar: after a clock change those
    // fall an hour into a session, and its first bar would land in the window before.
    const { days, start: dayStart } = tradingDays(t);
    const firstDay = days[0]!;
    const lastDay = days[n - 1]!;
    for (let k = 0; ; k++) {
      const testDay = firstDay + k * step + train;
      if (testDay > lastDay) break;
      const trainStart = mode === 'anchored' ? 0 : firstIndexAtOrAfter(days, firstDay + k * step);
      const testStart = firstIndexAtOrAfter(days, testDay);
      const testEnd = firstIndexAtOrAfter(days, testDay + test);
      if (testEnd <= testStart || testStart <= trainStart) continue;
      raw.push({
        train: trainRange(trainStart, firstIndexAtOrAfter(days, testDay - purge)),
        test: range(testStart, testEnd, dayStart(testDay + test)),
      });
    }
    // The market's days from the test's first bar to its last, both counted.
    foldShortLastTest(raw, test, step, (bars) => days[bars.end - 1]! - days[bars.start]! + 1);
  }
  if (raw.length === 0) {
    const span = unit === 'bars' ? `${n} bars` : `${((t[n - 1]! - t[0]!) / DAY_MS).toFixed(1)} days`;
    throw new Error(
      `walk-forward: the data (${span}) is too short for one window of train ${train} + test ${test} ${unit}: ` +
        'give a shorter train or test window, or more data',
    );
  }
  return raw.map((w, index) => {
    const next = raw[index + 1];
    const stitchEnd = next === undefined ? w.test.end : Math.min(w.test.end, next.test.start);
    const stitch: BarRange = {
      start: w.test.start,
      end: stitchEnd,
      startTime: w.test.startTime,
      endTime: next === undefined ? w.test.endTime : Math.min(w.test.endTime, next.test.startTime),
    };
    return { index, train: w.train, test: w.test, stitch };
  });
}

/** Equity marked at each bar of a range (the first value is the wealth the range starts with). */
export interface EquitySegment {
  readonly t: Float64Array;
  readonly equity: Float64Array;
}

export interface WalkForwardCallbacks {
  /** Finds the best parameters on a train window (typically a whole study); may return its in-sample equity. */
  optimize(train: BarRange, window: WalkForwardWindow): Promise<{ params: Params; inSample?: EquitySegment }>;
  /** Backtests fixed parameters over a range. */
  evaluate(range: BarRange, params: Params, window: WalkForwardWindow): Promise<EquitySegment>;
  /** Metrics of an equity segment; core/metrics computeEquityMetrics by default. Must include `annualizedReturn`. */
  metrics?(segment: EquitySegment): MetricSet;
  /** Told each window's result as soon as it is done (and awaited), so a caller can keep it before the next. */
  onWindow?(result: WalkForwardWindowResult): Promise<void> | void;
}

export interface WalkForwardWindowResult {
  readonly window: WalkForwardWindow;
  readonly params: Params;
  readonly inSample: MetricSet;
  readonly outOfSample: MetricSet;
}

export type ParamStability =
  | {
      readonly name: string;
      readonly kind: 'numeric';
      readonly mean: number;
      readonly std: number;
      /** std / |mean|: comparable across parameters, but meaningless around a mean of 0. */
      readonly coefficientOfVariation: number;
      /** std / (max - min of the space), when a space is given: 0 = never moves. */
      readonly normalizedStd: number | null;
      /** Windows whose value differs from the previous window's. */
      readonly changes: number;
    }
  | {
      readonly name: string;
      readonly kind: 'categorical';
      readonly mode: ParamValue;
      /** Share of windows using the most common value. */
      readonly modeShare: number;
      readonly changes: number;
    };

export interface WalkForwardResult {
  readonly windows: readonly WalkForwardWindowResult[];
  /** Out-of-sample equity stitched by chaining returns, starting at the first test segment's first value. */
  readonly stitched: EquitySegment;
  /**
   * In-sample equity stitched the same way: each window's winner on its own train range, from where the
   * previous window's train range ended (the bars it was newly fitted on), so at any time the curve shows
   * what the parameters then being chosen had earned on the bars they were chosen for. Set beside
   * `stitched`, the gap between the two is the walk-forward's overfitting, window by window.
   */
  readonly stitchedInSample: EquitySegment;
  readonly outOfSample: MetricSet;
  /** Mean in-sample metrics across windows, each over the windows where it is finite (NaN in none). */
  readonly inSampleMean: MetricSet;
  /**
   * Walk-forward efficiency (Pardo): annualized out-of-sample return of the stitched curve over the mean
   * annualized in-sample return of the windows. NaN when the in-sample mean is not positive.
   */
  readonly efficiency: number;
  /** The winning parameters of each window, in window order. */
  readonly parameterPath: readonly {
    readonly window: number;
    readonly testStartTime: number;
    readonly params: Params;
  }[];
  readonly stability: readonly ParamStability[];
}

function defaultMetrics(segment: EquitySegment): MetricSet {
  return { ...computeEquityMetrics(segment.t, segment.equity) };
}

/** Chains the segments' returns over their `stitch` ranges into one curve. */
export function stitchEquity(
  parts: readonly { readonly segment: EquitySegment; readonly from: number; readonly to: number }[],
): EquitySegment {
  const times: number[] = [];
  const values: number[] = [];
  for (const { segment, from, to } of parts) {
    let first = -1;
    for (let i = 0; i < segment.t.length; i++) {
      const time = segment.t[i]!;
      if (time < from || time >= to) continue;
      if (times.length > 0 && time <= times[times.length - 1]!) continue;
      if (first < 0) {
        first = i;
        const base = segment.equity[i]!;
        if (!(base > 0))
          throw new Error(`walk-forward: a test segment starts at non-positive equity ${base}`);
        if (values.length === 0) {
          times.push(time);
          values.push(base);
        } else {
          // The segment's first bar joins the previous segment's last value: only returns are chained, and
          // when the segment holds the bar before (overlapping train ranges) that bar's return is its own.
          times.push(time);
          const joined = values[values.length - 1]!;
          values.push(i > 0 ? (joined * segment.equity[i]!) / segment.equity[i - 1]! : joined);
        }
        continue;
      }
      times.push(time);
      values.push((values[values.length - 1]! * segment.equity[i]!) / segment.equity[i - 1]!);
    }
  }
  return { t: Float64Array.from(times), equity: Float64Array.from(values) };
}

/** Per-parameter stability of the winners across windows. */
export function parameterStability(path: readonly Params[], space?: SearchSpace): ParamStability[] {
  if (path.length === 0) return [];
  const names = Object.keys(path[0]!);
  return names.map((name): ParamStability => {
    const values = path.map((p) => p[name]!);
    let changes = 0;
    for (let i = 1; i < values.length; i++) if (values[i] !== values[i - 1]) changes++;
    if (values.every((v) => typeof v === 'number')) {
      const xs = values as number[];
      const mean = meanOf(xs);
      // Population (ddof 0): the windows are the whole path, not a sample of one.
      const std = Math.sqrt(variance(xs, 0));
      const spec = space === undefined ? undefined : findParam(space, name);
      const width = spec !== undefined && spec.kind !== 'categorical' ? spec.high - spec.low : 0;
      return {
        name,
        kind: 'numeric',
        mean,
        std,
        coefficientOfVariation: mean === 0 ? (std === 0 ? 0 : Infinity) : std / Math.abs(mean),
        normalizedStd: width > 0 ? std / width : spec === undefined ? null : 0,
        changes,
      };
    }
    const counts = new Map<ParamValue, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    let mode = values[0]!;
    for (const [v, c] of counts) if (c > counts.get(mode)!) mode = v;
    return { name, kind: 'categorical', mode, modeShare: counts.get(mode)! / values.length, changes };
  });
}

/**
 * Each metric's mean over the windows where it is defined: one window without a figure (a flat train
 * equity has no Sharpe, one without a loss no Sortino) made the whole mean NaN, shown as "—".
 */
function meanMetrics(list: readonly MetricSet[]): MetricSet {
  const out: Record<string, number> = {};
  for (const key of new Set(list.flatMap((m) => Object.keys(m)))) {
    let sum = 0;
    let count = 0;
    for (const m of list) {
      const value = m[key];
      if (value === undefined || !Number.isFinite(value)) continue;
      sum += value;
      count++;
    }
    out[key] = count === 0 ? NaN : sum / count;
  }
  return out;
}

/**
 * Pardo's walk-forward efficiency: the annualized out-of-sample return over the annualized in-sample one
 * (both annualized, so windows of any length compare). NaN when the in-sample return is not positive or
 * either is not finite: a ratio over a loss or nothing says nothing about how much of the fit carried over.
 */
export function walkForwardEfficiency(outOfSampleAnnual: number, inSampleAnnual: number): number {
  if (!Number.isFinite(outOfSampleAnnual) || !Number.isFinite(inSampleAnnual) || !(inSampleAnnual > 0))
    return NaN;
  return outOfSampleAnnual / inSampleAnnual;
}

/** Runs the whole analysis; windows are processed in order (each optimisation can itself be parallel). */
export async function runWalkForward(
  t: ArrayLike<number>,
  callbacks: WalkForwardCallbacks,
  options: WalkForwardOptions & { readonly space?: SearchSpace } = {},
): Promise<WalkForwardResult> {
  const windows = walkForwardWindows(t, options);
  const metricsOf = callbacks.metrics ?? defaultMetrics;
  const results: WalkForwardWindowResult[] = [];
  const parts: { segment: EquitySegment; from: number; to: number }[] = [];
  const inSampleParts: { segment: EquitySegment; from: number; to: number }[] = [];
  for (const window of windows) {
    const { params, inSample } = await callbacks.optimize(window.train, window);
    const isSegment = inSample ?? (await callbacks.evaluate(window.train, params, window));
    const oosSegment = await callbacks.evaluate(window.test, params, window);
    const result = { window, params, inSample: metricsOf(isSegment), outOfSample: metricsOf(oosSegment) };
    results.push(result);
    await callbacks.onWindow?.(result);
    parts.push({ segment: oosSegment, from: window.stitch.startTime, to: window.stitch.endTime });
    inSampleParts.push({ segment: isSegment, from: window.train.startTime, to: window.train.endTime });
  }
  const stitched = stitchEquity(parts);
  // stitchEquity skips bars it already has, so overlapping train ranges add only their newest bars.
  const stitchedInSample = stitchEquity(inSampleParts);
  const outOfSample = metricsOf(stitched);
  const inSampleMean = meanMetrics(results.map((r) => r.inSample));
  const isAnnual = inSampleMean['annualizedReturn'];
  const oosAnnual = outOfSample['annualizedReturn'];
  if (isAnnual === undefined || oosAnnual === undefined) {
    throw new Error(
      'walk-forward: the metrics callback must report annualizedReturn (needed for the efficiency)',
    );
  }
  return {
    windows: results,
    stitched,
    stitchedInSample,
    outOfSample,
    inSampleMean,
    efficiency: walkForwardEfficiency(oosAnnual, isAnnual),
    parameterPath: results.map((r) => ({
      window: r.window.index,
      testStartTime: r.window.test.startTime,
      params: r.params,
    })),
    stability: parameterStability(
      results.map((r) => r.params),
      options.space,
    ),
  };
}
