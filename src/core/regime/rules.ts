/**
 * The rule baseline: what a chartist would do, written down.
 * - Trend: the slope of the `trend`-bar moving average (its log change over `trend` bars, divided by the
 *   expected spread of such a move) and ADX. Bull or bear needs ADX above its threshold and a slope beyond
 *   its threshold in that direction; otherwise sideways.
 * - Volatility and volume: the short-window realised volatility and relative volume (deseasonalised on
 *   intraday bars), ranked against their own last `history` values; below the low quantile is low, above
 *   the high quantile is high.
 * Probabilities are logistic in the distance to each threshold, so they say how clear-cut the bar was.
 */
import { AdxState, SmaState } from '../indicators/index.ts';
import { featureWarmup, FeatureState, type RegimeWindows } from './features.ts';
import {
  labelByStreaming,
  PersistentLabel,
  resolvePersistence,
  resolveWindows,
  writeAxis,
  type DetectorOptions,
  type PersistenceOptions,
  type RegimeDetector,
  type RegimeStream,
} from './detector.ts';
import type { RegimeOutput } from './labels.ts';
import { RollingRank } from './rollingRank.ts';

export interface RuleDetectorOptions extends DetectorOptions {
  readonly adxPeriod?: number;
  /** ADX above this counts as trending (Wilder's 20-25 rule of thumb). */
  readonly adxThreshold?: number;
  /** |MA slope| above this (in spreads of a trend-window move) gives the trend its direction. */
  readonly slopeThreshold?: number;
  readonly lowQuantile?: number;
  readonly highQuantile?: number;
}

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));
/** Widths of the logistic ramps: a few ADX points, a fifth of a spread, five percentile points. */
const ADX_WIDTH = 3;
const SLOPE_WIDTH = 0.2;
const QUANTILE_WIDTH = 0.05;
/** Wilder smoothing forgets its start as (1 - 1/period)^bars: 25 periods bring it below 1e-6 of ADX's range. */
const ADX_FORGET_PERIODS = 25;

/** Low / normal / high probabilities of a percentile, logistic in its distance to the two quantiles. */
export function levelProbabilities(percentile: number, low: number, high: number, out: Float64Array): void {
  out[0] = logistic((low - percentile) / QUANTILE_WIDTH);
  out[2] = logistic((percentile - high) / QUANTILE_WIDTH);
  out[1] = 1 - out[0] - out[2];
}

/** Bull / bear / sideways probabilities of a trend score (a move in spreads) against +-threshold. */
export function trendProbabilities(score: number, threshold: number, out: Float64Array, trending = 1): void {
  out[0] = trending * logistic((score - threshold) / SLOPE_WIDTH);
  out[1] = trending * logistic((-score - threshold) / SLOPE_WIDTH);
  out[2] = 1 - out[0] - out[1];
}

class RuleStream implements RegimeStream {
  private readonly features: FeatureState;
  private readonly adx: AdxState;
  private readonly average: SmaState;
  private readonly averages: Float64Array;
  private readonly volatilityRank: RollingRank;
  private readonly volumeRank: RollingRank;
  private readonly labels: PersistentLabel[];
  private readonly probability = new Float64Array(3);
  private count = 0;

  constructor(private readonly d: RuleDetector) {
    const w = d.windows;
    this.features = new FeatureState(w);
    this.adx = new AdxState(d.adxPeriod);
    this.average = new SmaState(w.trend);
    this.averages = new Float64Array(w.trend);
    this.volatilityRank = new RollingRank(w.history);
    this.volumeRank = new RollingRank(w.history);
    this.labels = [0, 1, 2].map(() => new PersistentLabel(d.persistence));
  }

  update(
    t: number,
    _o: number,
    h: number,
    l: number,
    c: number,
    v: number,
    out: RegimeOutput,
    i: number,
  ): void {
    const d = this.d;
    const f = this.features;
    f.update(t, c, v);
    const adx = this.adx.update(h, l, c);
    const average = this.average.update(c);
    const lag = d.windows.trend;
    const past = this.averages[this.count % lag];
    this.averages[this.count % lag] = average;
    this.count++;
    const warm = this.count > d.warmup;

    const slope = this.count > lag ? Math.log(average / past) / f.trendSpread : NaN;
    const trending = logistic((adx - d.adxThreshold) / ADX_WIDTH);
    const bull = trending * logistic((slope - d.slopeThreshold) / SLOPE_WIDTH);
    const bear = trending * logistic((-slope - d.slopeThreshold) / SLOPE_WIDTH);
    const trend = out.trend;
    trend.inputs[0][i] = slope;
    trend.inputs[1][i] = adx;
    writeAxis(
      trend,
      i,
      warm,
      this.labels[0].update(bull, bear, 1 - bull - bear),
      bull,
      bear,
      1 - bull - bear,
    );

    this.level(out.volatility, i, warm, f.logVolatility, this.volatilityRank, this.labels[1]);
    this.level(out.volume, i, warm, f.logVolume, this.volumeRank, this.labels[2]);
  }

  private level(
    axis: RegimeOutput['volatility'],
    i: number,
    warm: boolean,
    x: number,
    rank: RollingRank,
    label: PersistentLabel,
  ): void {
    const percentile = rank.full ? rank.rank(x) : NaN;
    rank.add(x);
    const p = this.probability;
    levelProbabilities(percentile, this.d.lowQuantile, this.d.highQuantile, p);
    axis.inputs[0][i] = x;
    axis.inputs[1][i] = percentile;
    writeAxis(axis, i, warm, label.update(p[0], p[1], p[2]), p[0], p[1], p[2]);
  }
}

export class RuleDetector implements RegimeDetector {
  readonly name = 'rules' as const;
  readonly inputs = {
    trend: ['maSlope', 'adx'],
    volatility: ['logVolatility', 'percentile'],
    volume: ['logVolume', 'percentile'],
  } as const;
  readonly windows: RegimeWindows;
  readonly persistence: PersistenceOptions;
  readonly warmup: number;
  readonly adxPeriod: number;
  readonly adxThreshold: number;
  readonly slopeThreshold: number;
  readonly lowQuantile: number;
  readonly highQuantile: number;

  constructor(options: RuleDetectorOptions) {
    this.windows = resolveWindows(options);
    this.adxPeriod = options.adxPeriod ?? 14;
    this.adxThreshold = options.adxThreshold ?? 20;
    this.slopeThreshold = options.slopeThreshold ?? 0.5;
    this.lowQuantile = options.lowQuantile ?? 0.2;
    this.highQuantile = options.highQuantile ?? 0.8;
    if (!(this.lowQuantile > 0 && this.lowQuantile <= this.highQuantile && this.highQuantile < 1)) {
      throw new RangeError(
        `rules: need 0 < lowQuantile <= highQuantile < 1, got ${this.lowQuantile}, ${this.highQuantile}`,
      );
    }
    this.persistence = resolvePersistence(options, {
      hysteresis: 0.1,
      minDwell: Math.ceil(this.windows.short / 2),
    });
    const w = this.windows;
    this.warmup = Math.max(
      featureWarmup(w) + w.history,
      featureWarmup(w) + w.trend,
      ADX_FORGET_PERIODS * this.adxPeriod,
    );
  }

  label(bars: Parameters<RegimeDetector['label']>[0], out: RegimeOutput): void {
    labelByStreaming(this, bars, out);
  }

  stream(): RegimeStream {
    return new RuleStream(this);
  }
}
