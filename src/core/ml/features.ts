import type { Bars } from '../data/bars.ts';
import { etDays, etMinuteOfDay, weekdayOfDays } from '../data/calendar.ts';
import type { Metrics } from '../metrics/metrics.ts';
import {
  AXIS_LABELS,
  NO_LABEL,
  REGIME_AXES,
  type RegimeInputNames,
  type RegimeOutput,
} from '../regime/labels.ts';
import type { Features } from './base.ts';

/**
 * The learner's features for "how will parameter set θ do in the window starting at bar `start`":
 *   - θ itself, each parameter scaled to [0, 1] by its declared range;
 *   - the market context at the window's start, read from bar start - 1 only (regime probabilities and
 *     labels, the raw inputs the detector decided with, such as ADX, realised volatility and its
 *     percentile, relative volume), plus the window's opening time of day and weekday for intraday bars
 *     (known in advance: a schedule, not an outcome);
 *   - θ's performance in the window before (Sharpe, win rate, drawdown, stability, signal frequency,
 *     hold time, profit factor, expectancy), with a flag when there is none.
 * Nothing reads bar `start` or later: the leakage test in features.test.ts recomputes every feature from
 * bars truncated at `start` and demands the same numbers.
 */

export interface ParameterRange {
  readonly name: string;
  readonly min: number;
  readonly max: number;
}

export function parameterFeatures(
  params: Readonly<Record<string, number>>,
  ranges: readonly ParameterRange[],
): Features {
  const out: Record<string, number> = {};
  for (const { name, min, max } of ranges) {
    const value = params[name];
    if (value === undefined || !Number.isFinite(value))
      throw new RangeError(`parameter features: "${name}" is ${value}`);
    out[`param.${name}`] = max > min ? (value - min) / (max - min) : 0;
  }
  return out;
}

/**
 * Market context at the start of a window. `regime` is a detector's point-in-time output over `bars`
 * (so its value at start - 1 used bars up to start - 1 only); `intraday` adds the time-of-day and weekday
 * features, as cyclic (sine, cosine) pairs so 15:55 sits next to 09:30 of the next day.
 */
export function marketContextFeatures(
  bars: Bars,
  regime: RegimeOutput,
  inputNames: RegimeInputNames,
  start: number,
  intraday: boolean,
): Features {
  if (!(start >= 1 && start <= bars.t.length)) {
    throw new RangeError(
      `market context: a window must start after the first bar and within the ${bars.t.length} bars, got ${start}`,
    );
  }
  const at = start - 1;
  const out: Record<string, number> = {};
  for (const axis of REGIME_AXES) {
    const column = regime[axis];
    const label = column.label[at]!;
    AXIS_LABELS[axis].forEach((name, k) => {
      // A detector may label a bar whose probabilities are not finite (the rule detector does at times
      // on SPY 1-minute bars); a model needs a number, and 0 says "no evidence" as warm-up does.
      const p = column.probability[k]![at]!;
      out[`regime.${axis}.p.${name}`] = label === NO_LABEL || !Number.isFinite(p) ? 0 : p;
      out[`regime.${axis}.is.${name}`] = label === k ? 1 : 0;
    });
    out[`regime.${axis}.warm`] = label === NO_LABEL ? 0 : 1;
    inputNames[axis].forEach((name, k) => {
      const value = column.inputs[k]![at]!;
      out[`regime.${axis}.${name}`] = Number.isFinite(value) ? value : 0;
    });
  }
  if (intraday && start < bars.t.length) {
    const t = bars.t[start]!;
    const minute = etMinuteOfDay(t);
    const weekday = weekdayOfDays(etDays(t));
    out['time.daySin'] = Math.sin((2 * Math.PI * minute) / 1440);
    out['time.dayCos'] = Math.cos((2 * Math.PI * minute) / 1440);
    out['time.weekSin'] = Math.sin((2 * Math.PI * weekday) / 7);
    out['time.weekCos'] = Math.cos((2 * Math.PI * weekday) / 7);
  }
  return out;
}

/** The metrics of θ's previous window that describe how it trades; `bars` is that window's length. */
export function pastPerformanceFeatures(previous: Metrics | undefined, bars: number): Features {
  if (!previous) {
    return {
      'past.has': 0,
      'past.sharpe': 0,
      'past.winRate': 0,
      'past.maxDrawdown': 0,
      'past.stability': 0,
      'past.signalFrequency': 0,
      'past.avgHoldBars': 0,
      'past.profitFactor': 0,
      'past.expectancy': 0,
    };
  }
  // Infinite or undefined ratios (no losing trade, no trade) become bounded numbers a model can use.
  const bounded = (x: number, cap: number): number =>
    Number.isNaN(x) ? 0 : Math.max(-cap, Math.min(cap, x));
  return {
    'past.has': 1,
    'past.sharpe': bounded(previous.sharpeRatio, 10),
    'past.winRate': bounded(previous.winRate, 1),
    'past.maxDrawdown': bounded(previous.maxDrawdown, 1),
    'past.stability': bounded(previous.consistencyScore, 1),
    'past.signalFrequency': bars > 0 ? previous.numTrades / bars : 0,
    'past.avgHoldBars': bounded(previous.avgTradeDurationBars, 1e6),
    'past.profitFactor': bounded(previous.profitFactor, 10),
    'past.expectancy': bounded(previous.expectancy, 1e12),
  };
}
