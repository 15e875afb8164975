/**
 * Detectors built from a state model per axis (the Gaussian HMM and the jump model): each axis reads one
 * feature (trend score, log volatility, log volume), keeps its last `history` values, refits its model on
 * them at fixed calendar boundaries and filters forward between refits.
 *
 * Point in time by construction: a refit at bar t sees bars up to t, and after a refit the forward state
 * is rebuilt by running the new model over the fit window from its start. Everything a label depends on
 * therefore lies in the last `history` feature values before the latest refit, which is what bounds the
 * warm-up. Refit boundaries are calendar periods (every `refitDays` New York days), not bar counts, so a
 * series started later refits on the same bars as one started earlier.
 */
import type { Timeframe } from '../data/bars.ts';
import { etDays } from '../data/calendar.ts';
import {
  labelByStreaming,
  PersistentLabel,
  resolvePersistence,
  resolveWindows,
  writeAxis,
  type DetectorName,
  type DetectorOptions,
  type PersistenceOptions,
  type RegimeDetector,
  type RegimeStream,
} from './detector.ts';
import { featureWarmup, FeatureState, type RegimeWindows } from './features.ts';
import {
  NO_LABEL,
  REGIME_AXES,
  Trend,
  type RegimeAxis,
  type RegimeInputNames,
  type RegimeOutput,
} from './labels.ts';
import type { AxisModel } from './models.ts';
import type { Bars } from '../data/bars.ts';

/** Calendar days between refits: weekly-ish intraday, monthly on day bars, quarterly and yearly above. */
const REFIT_DAYS: Readonly<Record<Timeframe, number>> = {
  '1m': 5,
  '5m': 5,
  '15m': 5,
  '1h': 10,
  '4h': 21,
  '1d': 21,
  '1w': 91,
  '1mo': 365,
};

export interface ModelDetectorOptions extends DetectorOptions {
  /** States per axis: 3 (low/normal/high, bear/sideways/bull) or 2 (low/high, bear/bull). Default 3. */
  readonly states?: Partial<Record<RegimeAxis, 2 | 3>>;
  readonly refitDays?: number;
  /**
   * The axes to model (all by default). An axis left out is never fitted and labels nothing (NO_LABEL,
   * NaN probabilities); the others are labelled exactly as with all three, each axis's model being its
   * own. What uses one axis (a regime switch, the planted checks) pays for one EM instead of three.
   */
  readonly axes?: readonly RegimeAxis[];
}

/** Label code of each state (states ascend by mean) for 2 and 3 states. */
const STATE_CODES: Readonly<Record<'trend' | 'level', Readonly<Record<2 | 3, readonly number[]>>>> = {
  trend: { 2: [Trend.Bear, Trend.Bull], 3: [Trend.Bear, Trend.Sideways, Trend.Bull] },
  level: { 2: [0, 2], 3: [0, 1, 2] },
};

class AxisTrack {
  private readonly ring: Float64Array;
  private readonly window: Float64Array;
  private readonly probability = new Float64Array(3);
  private readonly labelProbability = new Float64Array(3);
  private readonly codes: readonly number[];
  private readonly label: PersistentLabel;
  private count = 0;
  private fitted = false;

  constructor(
    private readonly model: AxisModel,
    axis: RegimeAxis,
    history: number,
    persistence: PersistenceOptions,
  ) {
    this.ring = new Float64Array(history);
    this.window = new Float64Array(history);
    this.codes = STATE_CODES[axis === 'trend' ? 'trend' : 'level'][model.states as 2 | 3];
    this.label = new PersistentLabel(persistence);
  }

  update(x: number, refit: boolean, axis: RegimeOutput[RegimeAxis], i: number, warm: boolean): void {
    const size = this.ring.length;
    const valid = !Number.isNaN(x);
    if (valid) this.ring[this.count++ % size] = x;
    const p = this.probability;
    if (refit && this.count >= size) {
      // Oldest first: the ring from its next write position on, then from its start.
      const at = this.count % size;
      this.window.set(this.ring.subarray(at), 0);
      this.window.set(this.ring.subarray(0, at), size - at);
      this.model.fit(this.window, size);
      this.model.replay(this.window, size, p);
      this.fitted = true;
    } else if (this.fitted && valid) {
      this.model.step(x, p);
    }
    const q = this.labelProbability;
    q.fill(0);
    if (this.fitted && valid) for (let j = 0; j < this.model.states; j++) q[this.codes[j]] = p[j];
    else q.fill(NaN);
    axis.inputs[0][i] = x;
    writeAxis(axis, i, warm, this.label.update(q[0], q[1], q[2]), q[0], q[1], q[2]);
  }
}

class ModelStream implements RegimeStream {
  private readonly features: FeatureState;
  private readonly tracks: (AxisTrack | null)[];
  private period = NaN;
  private count = 0;

  constructor(private readonly detector: ModelDetector) {
    const w = detector.windows;
    this.features = new FeatureState(w);
    this.tracks = REGIME_AXES.map((axis) =>
      detector.axes.includes(axis)
        ? new AxisTrack(detector.createModel(axis), axis, w.history, detector.persistence)
        : null,
    );
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
    const period = Math.floor(etDays(t) / this.detector.refitDays);
    const refit = period !== this.period;
    this.period = period;
    this.count++;
    const warm = this.count > this.detector.warmup;
    const d = this.detector;
    this.track(0, d.observe('trend', f), refit, out.trend, i, warm);
    this.track(1, d.observe('volatility', f), refit, out.volatility, i, warm);
    this.track(2, d.observe('volume', f), refit, out.volume, i, warm);
  }

  private track(
    k: number,
    x: number,
    refit: boolean,
    axis: RegimeOutput[RegimeAxis],
    i: number,
    warm: boolean,
  ): void {
    const track = this.tracks[k]!;
    if (track !== null) track.update(x, refit, axis, i, warm);
    else {
      axis.inputs[0]![i] = x;
      writeAxis(axis, i, false, NO_LABEL, NaN, NaN, NaN);
    }
  }
}

export abstract class ModelDetector implements RegimeDetector {
  abstract readonly name: DetectorName;
  abstract readonly inputs: RegimeInputNames;
  readonly windows: RegimeWindows;
  readonly persistence: PersistenceOptions;
  readonly refitDays: number;
  readonly states: Readonly<Record<RegimeAxis, 2 | 3>>;
  readonly axes: readonly RegimeAxis[];
  readonly warmup: number;

  constructor(options: ModelDetectorOptions, persistence: PersistenceOptions) {
    this.windows = resolveWindows(options);
    this.persistence = resolvePersistence(options, persistence);
    this.refitDays = options.refitDays ?? REFIT_DAYS[options.timeframe];
    this.states = { trend: 3, volatility: 3, volume: 3, ...options.states };
    this.axes = options.axes ?? REGIME_AXES;
    const w = this.windows;
    // Features settle, the window fills, and the next calendar boundary (at most refitDays sessions away) refits.
    this.warmup = featureWarmup(w) + w.history + this.refitDays * w.barsPerSession;
  }

  abstract createModel(axis: RegimeAxis): AxisModel;

  /** The value the axis's model sees at this bar (named in `inputs`). */
  abstract observe(axis: RegimeAxis, features: FeatureState): number;

  label(bars: Bars, out: RegimeOutput): void {
    labelByStreaming(this, bars, out);
  }

  stream(): RegimeStream {
    return new ModelStream(this);
  }
}
