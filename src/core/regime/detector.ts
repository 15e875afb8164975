/**
 * The one interface every regime detector implements, and the pieces they share: persistence (hysteresis
 * and a minimum dwell) and the batch loop that runs a detector's streaming state over bars, which is what
 * makes batch and live labels the same numbers.
 */
import type { Bars, Timeframe } from '../data/bars.ts';
import { checkRegimeOutput, NO_LABEL, type RegimeInputNames, type RegimeOutput } from './labels.ts';
import { DEFAULT_WINDOWS, type RegimeWindows } from './features.ts';

export const DETECTOR_NAMES = ['rules', 'hmm', 'jump', 'bocpd'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];

/** Stops labels flickering: a switch needs a probability lead and a minimum time in the current label. */
export interface PersistenceOptions {
  /** A new label must beat the current one's probability by more than this (0 to 1). */
  readonly hysteresis: number;
  /** Bars a label is held at least before it may change. */
  readonly minDwell: number;
}

export interface DetectorOptions {
  readonly timeframe: Timeframe;
  /** Overrides of the timeframe's default windows. */
  readonly windows?: Partial<RegimeWindows>;
  readonly persistence?: Partial<PersistenceOptions>;
}

/** Live labelling: one bar in, that bar's labels out (into row `index` of the caller's output). */
export interface RegimeStream {
  update(
    t: number,
    o: number,
    h: number,
    l: number,
    c: number,
    v: number,
    out: RegimeOutput,
    index: number,
  ): void;
}

export interface RegimeDetector {
  readonly name: DetectorName;
  /**
   * Bars before the first label. Beyond it, labels do not depend on where the series started (to 1e-6 in
   * probability), so a detector started on a later slice agrees with one started earlier.
   */
  readonly warmup: number;
  /** Names of the raw inputs written per axis. */
  readonly inputs: RegimeInputNames;
  /** Labels every bar of `bars` into `out` (columns at least as long as the bars); point in time. */
  label(bars: Bars, out: RegimeOutput): void;
  /** A fresh streaming state: fed the same bars, it writes exactly what `label` writes. */
  stream(): RegimeStream;
}

export function resolveWindows(options: DetectorOptions): RegimeWindows {
  const defaults = DEFAULT_WINDOWS[options.timeframe];
  if (defaults === undefined)
    throw new RangeError(`regime detector: unknown timeframe "${options.timeframe}"`);
  return { ...defaults, ...options.windows };
}

export function resolvePersistence(
  options: DetectorOptions,
  defaults: PersistenceOptions,
): PersistenceOptions {
  const p = { ...defaults, ...options.persistence };
  if (!(p.hysteresis >= 0 && p.hysteresis < 1))
    throw new RangeError(`persistence: hysteresis must be in [0, 1), got ${p.hysteresis}`);
  if (!Number.isInteger(p.minDwell) || p.minDwell < 1)
    throw new RangeError(`persistence: minDwell must be an integer >= 1, got ${p.minDwell}`);
  return p;
}

/** Runs a detector's stream over bars: the batch path of every detector. */
export function labelByStreaming(detector: RegimeDetector, bars: Bars, out: RegimeOutput): void {
  const n = bars.t.length;
  checkRegimeOutput(detector.name, detector.inputs, out, n);
  const stream = detector.stream();
  const { t, o, h, l, c, v } = bars;
  for (let i = 0; i < n; i++) stream.update(t[i], o[i], h[i], l[i], c[i], v[i], out, i);
}

/** The label one axis holds: switches to the most probable label only past the hysteresis and dwell. */
export class PersistentLabel {
  private current = NO_LABEL;
  private dwell = 0;

  constructor(private readonly options: PersistenceOptions) {}

  /** Feeds one bar's probabilities (any NaN leaves the label unchanged) and returns the label held. */
  update(p0: number, p1: number, p2: number): number {
    if (Number.isNaN(p0) || Number.isNaN(p1) || Number.isNaN(p2)) return this.current;
    let best = 0;
    let bestP = p0;
    if (p1 > bestP) {
      best = 1;
      bestP = p1;
    }
    if (p2 > bestP) {
      best = 2;
      bestP = p2;
    }
    this.dwell++;
    if (this.current === NO_LABEL) {
      this.current = best;
      this.dwell = 0;
    } else if (best !== this.current && this.dwell >= this.options.minDwell) {
      const held = this.current === 0 ? p0 : this.current === 1 ? p1 : p2;
      if (bestP - held > this.options.hysteresis) {
        this.current = best;
        this.dwell = 0;
      }
    }
    return this.current;
  }
}

/**
 * Writes one axis of one bar: the held label and the probabilities, or the warm-up marks. Inputs are the
 * caller's to write (they are informative during warm-up too).
 */
export function writeAxis(
  axis: RegimeOutput[keyof RegimeOutput],
  index: number,
  warm: boolean,
  label: number,
  p0: number,
  p1: number,
  p2: number,
): void {
  const [q0, q1, q2] = axis.probability;
  if (warm && label !== NO_LABEL) {
    axis.label[index] = label;
    q0[index] = p0;
    q1[index] = p1;
    q2[index] = p2;
  } else {
    axis.label[index] = NO_LABEL;
    q0[index] = q1[index] = q2[index] = NaN;
  }
}
