/**
 * The per-bar inputs every detector reads, computed point in time by one streaming state:
 * - the log return and its square, the square divided by the time-of-day shape of squared returns;
 * - volume divided by the time-of-day shape of volume;
 * - logVolatility: half the log of the mean deseasonalised squared return over the short window;
 * - ewmaLogVolatility (when a volatility half-life is given): the same of an exponentially weighted mean
 *   of the deseasonalised squared returns, which weighs the latest bars most (the features of Nystrup et al.
 *   and Shu, Yu & Mulvey are such averages);
 * - logVolume: the log of the mean deseasonalised volume over the short window;
 * - trendScore: the log return over the trend window divided by its expected spread (a t-statistic of the
 *   move, so one threshold works for minute and day bars alike).
 *
 * Seasonality (issue 11 item 3): on intraday bars the open and the close are busier every day. Judging a
 * minute against all minutes would call every open "high volatility", so each bar is divided by its
 * time-of-day shape: the mean of its slot (minutes after New York midnight / bar length) over the last
 * `seasonalSessions` sessions, relative to the mean over all slots. The shape has mean 1, so the level of
 * volatility and volume is kept and only the U-shape is removed. Past sessions only: a slot's ring holds
 * earlier sessions' values, and the current bar joins it after it is judged.
 */
import { TIMEFRAME_MINUTES, type Timeframe } from '../data/bars.ts';
import { etMinuteOfDay } from '../data/calendar.ts';

export interface RegimeWindows {
  /** Bars in one regular session (1 for day bars): converts session counts into a warm-up in bars. */
  readonly barsPerSession: number;
  /** Minutes per bar: the width of a time-of-day slot. */
  readonly barMinutes: number;
  /** Sessions of history behind the time-of-day profile; 0 turns seasonality off (day bars). */
  readonly seasonalSessions: number;
  /** Bars in the realised-volatility and relative-volume window. */
  readonly short: number;
  /** Bars in the trend window (moving average, trend score). */
  readonly trend: number;
  /** Bars of trailing history a label is judged against (rank window, model fit window). */
  readonly history: number;
  /** Half-life in bars of ewmaLogVolatility; absent (or 0), that feature is not computed. */
  readonly volatilityHalflife?: number;
}

/** Windows per timeframe: a few hours of short window intraday, two weeks on day bars; history of days to a year. */
export const DEFAULT_WINDOWS: Readonly<Record<Timeframe, RegimeWindows>> = {
  '1m': { barsPerSession: 390, barMinutes: 1, seasonalSessions: 10, short: 30, trend: 120, history: 1950 },
  '5m': { barsPerSession: 78, barMinutes: 5, seasonalSessions: 10, short: 12, trend: 48, history: 780 },
  '15m': { barsPerSession: 26, barMinutes: 15, seasonalSessions: 10, short: 8, trend: 26, history: 520 },
  '1h': { barsPerSession: 7, barMinutes: 60, seasonalSessions: 10, short: 7, trend: 21, history: 280 },
  '4h': { barsPerSession: 2, barMinutes: 240, seasonalSessions: 10, short: 6, trend: 20, history: 252 },
  '1d': {
    barsPerSession: 1,
    barMinutes: TIMEFRAME_MINUTES['1d'],
    seasonalSessions: 0,
    short: 10,
    trend: 20,
    history: 252,
  },
  // Weeks and months: the day-bar windows scaled to about a quarter (short), half a year (trend) and
  // two to five years of history.
  '1w': {
    barsPerSession: 1,
    barMinutes: TIMEFRAME_MINUTES['1w'],
    seasonalSessions: 0,
    short: 8,
    trend: 26,
    history: 104,
  },
  '1mo': {
    barsPerSession: 1,
    barMinutes: TIMEFRAME_MINUTES['1mo'],
    seasonalSessions: 0,
    short: 6,
    trend: 12,
    history: 60,
  },
};

/**
 * Half-lives an exponentially weighted mean takes to forget its start: 2^-30 (1e-9) of the first value's
 * weight is left, far below what moves a probability by 1e-6.
 */
const FORGET_HALFLIVES = 30;

/** Bars before every feature is defined and independent of where the series started. */
export function featureWarmup(w: RegimeWindows): number {
  const forget = Math.ceil(FORGET_HALFLIVES * (w.volatilityHalflife ?? 0));
  return w.seasonalSessions * w.barsPerSession + Math.max(w.short, w.trend, forget) + 1;
}

/** Squared returns below this (a flat price) are floored so logs stay finite. */
const TINY_VARIANCE = 1e-16;

/** Per-slot rings of the last `sessions` values, with the grand total over all rings. */
class SeasonalShape {
  private readonly ring: Float64Array;
  private readonly sums: Float64Array;
  private readonly counts: Int32Array;
  private total = 0;
  private totalCount = 0;

  constructor(
    slots: number,
    private readonly sessions: number,
  ) {
    this.ring = new Float64Array(slots * sessions);
    this.sums = new Float64Array(slots);
    this.counts = new Int32Array(slots);
  }

  /** Slot mean relative to the mean of all slots; NaN until the slot has a full ring. */
  shape(slot: number): number {
    const n = this.counts[slot];
    if (n < this.sessions) return NaN;
    return this.sums[slot] / this.sessions / (this.total / this.totalCount);
  }

  add(slot: number, x: number): void {
    const n = this.counts[slot];
    const at = slot * this.sessions + (n % this.sessions);
    if (n >= this.sessions) {
      this.sums[slot] -= this.ring[at];
      this.total -= this.ring[at];
    } else {
      this.totalCount++;
    }
    this.ring[at] = x;
    this.sums[slot] += x;
    this.total += x;
    this.counts[slot] = n + 1;
  }
}

/** A ring with a running sum over its last `size` values. */
class WindowSum {
  private readonly ring: Float64Array;
  private count = 0;
  sum = 0;

  constructor(readonly size: number) {
    this.ring = new Float64Array(size);
  }

  get full(): boolean {
    return this.count >= this.size;
  }

  add(x: number): void {
    const at = this.count % this.size;
    if (this.count >= this.size) this.sum -= this.ring[at];
    this.ring[at] = x;
    this.sum += x;
    this.count++;
  }
}

export class FeatureState {
  private readonly returnShape: SeasonalShape | null;
  private readonly volumeShape: SeasonalShape | null;
  private readonly shortVariance: WindowSum;
  private readonly trendVariance: WindowSum;
  private readonly shortVolume: WindowSum;
  /** Log closes of the last `trend` bars (the oldest is the trend score's start point). */
  private readonly logCloses: Float64Array;
  private count = 0;
  private previousClose = NaN;
  /** Weight of the newest squared return in the exponentially weighted mean (0: not computed). */
  private readonly ewmaWeight: number;
  private ewmaVariance = NaN;

  /** Log return from the previous close (0 on the first bar). */
  logReturn = 0;
  /** Squared log return divided by its time-of-day shape (NaN until the shape is known). */
  deseasonalisedVariance = NaN;
  /** Volume divided by its time-of-day shape. */
  deseasonalisedVolume = NaN;
  logVolatility = NaN;
  /** Half the log of the exponentially weighted mean deseasonalised squared return (NaN without a half-life). */
  ewmaLogVolatility = NaN;
  logVolume = NaN;
  trendScore = NaN;
  /** Expected spread of a log move over the trend window: sqrt of the summed deseasonalised variance. */
  trendSpread = NaN;

  constructor(readonly windows: RegimeWindows) {
    const w = windows;
    for (const key of ['short', 'trend', 'history', 'barsPerSession'] as const) {
      if (!Number.isInteger(w[key]) || w[key] < 1)
        throw new RangeError(`regime windows: ${key} must be an integer >= 1`);
    }
    const halflife = w.volatilityHalflife ?? 0;
    if (!(halflife >= 0 && Number.isFinite(halflife)))
      throw new RangeError(`regime windows: volatilityHalflife must be a number >= 0, got ${halflife}`);
    this.ewmaWeight = halflife > 0 ? 1 - Math.pow(0.5, 1 / halflife) : 0;
    const slots = Math.ceil(1440 / w.barMinutes);
    const seasonal = w.seasonalSessions > 0 && w.barMinutes < 1440;
    this.returnShape = seasonal ? new SeasonalShape(slots, w.seasonalSessions) : null;
    this.volumeShape = seasonal ? new SeasonalShape(slots, w.seasonalSessions) : null;
    this.shortVariance = new WindowSum(w.short);
    this.trendVariance = new WindowSum(w.trend);
    this.shortVolume = new WindowSum(w.short);
    this.logCloses = new Float64Array(w.trend);
  }

  update(t: number, close: number, volume: number): void {
    const r = this.count === 0 ? 0 : Math.log(close / this.previousClose);
    this.previousClose = close;
    this.logReturn = r;
    const square = r * r;
    let returnShape = 1;
    let volumeShape = 1;
    if (this.returnShape !== null && this.volumeShape !== null) {
      const slot = Math.floor(etMinuteOfDay(t) / this.windows.barMinutes);
      returnShape = this.returnShape.shape(slot);
      volumeShape = this.volumeShape.shape(slot);
      // The first bar's return is a placeholder, not an observation of its slot.
      if (this.count > 0) this.returnShape.add(slot, square);
      this.volumeShape.add(slot, volume);
    }
    const variance = square / returnShape;
    const relativeVolume = volume / volumeShape;
    this.deseasonalisedVariance = variance;
    this.deseasonalisedVolume = relativeVolume;
    const lag = this.windows.trend;
    const logClose = Math.log(close);
    const oldest = this.logCloses[this.count % lag];
    this.logCloses[this.count % lag] = logClose;
    this.count++;
    if (Number.isNaN(variance) || Number.isNaN(relativeVolume)) {
      this.logVolatility = this.ewmaLogVolatility = this.logVolume = this.trendScore = this.trendSpread = NaN;
      return;
    }
    if (this.ewmaWeight > 0) {
      // The first return is a placeholder (0), not an observation: the mean starts at the second.
      const ewma = Number.isNaN(this.ewmaVariance)
        ? this.count > 1
          ? variance
          : NaN
        : this.ewmaVariance + this.ewmaWeight * (variance - this.ewmaVariance);
      this.ewmaVariance = ewma;
      this.ewmaLogVolatility = 0.5 * Math.log(Math.max(ewma, TINY_VARIANCE));
    }
    this.shortVariance.add(variance);
    this.trendVariance.add(variance);
    this.shortVolume.add(relativeVolume);
    const w = this.windows;
    this.logVolatility = this.shortVariance.full
      ? 0.5 * Math.log(Math.max(this.shortVariance.sum / w.short, TINY_VARIANCE))
      : NaN;
    this.logVolume = this.shortVolume.full ? Math.log(Math.max(this.shortVolume.sum / w.short, 1e-12)) : NaN;
    this.trendSpread = this.trendVariance.full
      ? Math.sqrt(Math.max(this.trendVariance.sum, lag * TINY_VARIANCE))
      : NaN;
    this.trendScore = this.count > lag ? (logClose - oldest) / this.trendSpread : NaN;
  }
}
