/**
 * Bayesian online change-point detection (Adams & MacKay 2007) with a bounded run length, as a detector.
 * Each axis runs it on its feature with a Gaussian observation model of unknown mean (the feature's
 * trailing variance as the known variance, its trailing mean as the prior mean), a constant hazard, and
 * run lengths capped at `maxRun` (the capped hypothesis means "the segment covers at least the last
 * maxRun values" and uses exactly those), so memory and cost per bar are bounded.
 * The label reads the posterior mean of the current segment: trend against fixed thresholds on the trend
 * score, volatility and volume ranked against their trailing history as in the rule detector. The inputs
 * carry the alarm: the probability that the segment began within the last `alarmRun` bars.
 */
import type { Bars } from '../data/bars.ts';
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
import { featureWarmup, FeatureState, type RegimeWindows } from './features.ts';
import type { RegimeAxisOutput, RegimeOutput } from './labels.ts';
import { levelProbabilities, trendProbabilities } from './rules.ts';
import { RollingRank } from './rollingRank.ts';

export interface BocpdDetectorOptions extends DetectorOptions {
  /** Longest run length tracked (bars). Default max(32, 2 x short window). */
  readonly maxRun?: number;
  /** Prior probability of a change at any bar. Default 1/100. */
  readonly hazard?: number;
  /** The alarm input is the probability that the segment is at most this many bars old. Default 3. */
  readonly alarmRun?: number;
}

/** Bars for the run-length posterior to forget where it started (geometric mixing through the hazard). */
const FORGET_RUNS = 4;

class ChangePointAxis {
  private readonly ring: Float64Array;
  private readonly weight: Float64Array;
  private readonly next: Float64Array;
  private readonly logTerm: Float64Array;
  /** 1 / (1 + 1 / (k + 1)): the predictive variance of run length k is the variance divided by it. */
  private readonly shrink: Float64Array;
  private readonly rank: RollingRank;
  private readonly history: Float64Array;
  private readonly label: PersistentLabel;
  private readonly probability = new Float64Array(3);
  private observations = 0;
  private historyCount = 0;
  private historySum = 0;
  private historySquares = 0;

  constructor(
    private readonly d: BocpdDetector,
    private readonly ranked: boolean,
  ) {
    const r = d.maxRun;
    this.ring = new Float64Array(r);
    this.weight = new Float64Array(r + 1);
    this.next = new Float64Array(r + 1);
    this.logTerm = new Float64Array(r + 1);
    this.shrink = new Float64Array(r + 1);
    // Prior pseudo-count 1: a segment of r values has posterior variance sigma^2 / (r + 1).
    for (let k = 0; k <= r; k++) {
      this.logTerm[k] = Math.log(1 + 1 / (k + 1));
      this.shrink[k] = 1 / (1 + 1 / (k + 1));
    }
    this.rank = new RollingRank(d.windows.history);
    this.history = new Float64Array(d.windows.history);
    this.label = new PersistentLabel(d.persistence);
  }

  update(x: number, axis: RegimeAxisOutput, i: number, warm: boolean): void {
    const d = this.d;
    const size = this.history.length;
    let segmentMean = NaN;
    let alarm = NaN;
    if (!Number.isNaN(x) && this.historyCount >= size) {
      [segmentMean, alarm] = this.observe(x);
    }
    if (!Number.isNaN(x)) this.remember(x);
    const p = this.probability;
    if (this.ranked) {
      const percentile = this.rank.full ? this.rank.rank(segmentMean) : NaN;
      this.rank.add(segmentMean);
      levelProbabilities(percentile, d.lowQuantile, d.highQuantile, p);
    } else {
      trendProbabilities(segmentMean, d.trendThreshold, p);
    }
    axis.inputs[0][i] = segmentMean;
    axis.inputs[1][i] = alarm;
    writeAxis(axis, i, warm, this.label.update(p[0], p[1], p[2]), p[0], p[1], p[2]);
  }

  /** Trailing mean and variance: the prior and the observation noise. */
  private remember(x: number): void {
    const size = this.history.length;
    const at = this.historyCount % size;
    if (this.historyCount >= size) {
      const old = this.history[at];
      this.historySum -= old;
      this.historySquares -= old * old;
    }
    this.history[at] = x;
    this.historySum += x;
    this.historySquares += x * x;
    this.historyCount++;
  }

  /** One step of the run-length recursion; returns the segment's posterior mean and the alarm. */
  private observe(x: number): [number, number] {
    const d = this.d;
    const maxRun = d.maxRun;
    const size = this.history.length;
    const prior = this.historySum / size;
    const variance = Math.max(this.historySquares / size - prior * prior, 1e-12);
    const inverseVariance = 1 / variance;
    const logVariance = Math.log(variance);
    const { weight, next, ring, logTerm, shrink } = this;
    const runs = this.observations < maxRun ? this.observations : maxRun;
    // Log predictive of x under each run length k (k values before x), relative to a running maximum.
    // The ring is read newest first by walking its index down, so no modulo in the loop.
    let sum = 0;
    let top = -Infinity;
    let at = this.observations % maxRun;
    for (let k = 0; k <= runs; k++) {
      if (k > 0) {
        at = at === 0 ? maxRun - 1 : at - 1;
        sum += ring[at];
      }
      const deviation = x - (prior + sum) / (k + 1);
      const log = -0.5 * (deviation * deviation * inverseVariance * shrink[k] + logVariance + logTerm[k]);
      next[k] = log;
      if (log > top) top = log;
    }
    for (let k = runs + 1; k <= maxRun; k++) next[k] = 0;
    let total = 0;
    let change = 0;
    for (let k = runs; k >= 0; k--) {
      const likelihood = Math.exp(next[k] - top);
      if (k === 0) {
        change = likelihood;
        next[0] = 0;
        continue;
      }
      // Runs grow by one; the capped run stays capped.
      const w = weight[k] * likelihood * (1 - d.hazard);
      next[k] = 0;
      next[k + 1 > maxRun ? maxRun : k + 1] += w;
      total += weight[k];
    }
    // A change before x: x opens a new segment of one (its weight is the prior predictive times the hazard).
    next[1] += (this.observations === 0 ? 1 : d.hazard * total) * change;
    ring[this.observations % maxRun] = x;
    this.observations++;
    let norm = 0;
    for (let k = 1; k <= maxRun; k++) norm += next[k];
    let segmentMean = 0;
    let alarm = 0;
    sum = 0;
    at = this.observations % maxRun;
    const seen = this.observations;
    for (let k = 1; k <= maxRun; k++) {
      const w = (weight[k] = next[k] / norm);
      if (k <= seen) {
        at = at === 0 ? maxRun - 1 : at - 1;
        sum += ring[at];
      }
      if (w > 0) segmentMean += (w * (prior + sum)) / (k + 1);
      if (k <= d.alarmRun) alarm += w;
    }
    return [segmentMean, alarm];
  }
}

class BocpdStream implements RegimeStream {
  private readonly features: FeatureState;
  private readonly axes: ChangePointAxis[];
  private count = 0;

  constructor(private readonly d: BocpdDetector) {
    this.features = new FeatureState(d.windows);
    this.axes = [new ChangePointAxis(d, false), new ChangePointAxis(d, true), new ChangePointAxis(d, true)];
  }

  update(
    t: number,
    _o: number,
    _h: number,
    _l: number,
    c: number,
    v: number,
    out: RegimeOutput,
    i: number,
  ): void {
    const f = this.features;
    f.update(t, c, v);
    this.count++;
    const warm = this.count > this.d.warmup;
    this.axes[0]!.update(f.trendScore, out.trend, i, warm);
    this.axes[1]!.update(f.logVolatility, out.volatility, i, warm);
    this.axes[2]!.update(f.logVolume, out.volume, i, warm);
  }
}

export class BocpdDetector implements RegimeDetector {
  readonly name = 'bocpd' as const;
  readonly inputs = {
    trend: ['segmentMean', 'changeProbability'],
    volatility: ['segmentMean', 'changeProbability'],
    volume: ['segmentMean', 'changeProbability'],
  } as const;
  readonly windows: RegimeWindows;
  readonly persistence: PersistenceOptions;
  readonly maxRun: number;
  readonly hazard: number;
  readonly alarmRun: number;
  readonly lowQuantile = 0.2;
  readonly highQuantile = 0.8;
  readonly trendThreshold = 0.5;
  readonly warmup: number;

  constructor(options: BocpdDetectorOptions) {
    this.windows = resolveWindows(options);
    this.persistence = resolvePersistence(options, { hysteresis: 0.1, minDwell: 1 });
    this.maxRun = options.maxRun ?? Math.max(32, 2 * this.windows.short);
    this.hazard = options.hazard ?? 0.01;
    this.alarmRun = options.alarmRun ?? 3;
    if (!Number.isInteger(this.maxRun) || this.maxRun < 2)
      throw new RangeError(`bocpd: maxRun must be an integer >= 2`);
    if (!(this.hazard > 0 && this.hazard < 1))
      throw new RangeError(`bocpd: hazard must be in (0, 1), got ${this.hazard}`);
    const w = this.windows;
    // Features settle, the prior window fills, the rank window fills behind it, the run lengths forget.
    this.warmup = featureWarmup(w) + 2 * w.history + FORGET_RUNS * this.maxRun;
  }

  label(bars: Bars, out: RegimeOutput): void {
    labelByStreaming(this, bars, out);
  }

  stream(): RegimeStream {
    return new BocpdStream(this);
  }
}
