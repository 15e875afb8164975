/** Regime detectors by name: what the CLI, the services and the UI choose from. */
import type { Timeframe } from '../data/bars.ts';
import { BocpdDetector } from './bocpd.ts';
import type { DetectorName, RegimeDetector } from './detector.ts';
import type { RegimeAxis } from './labels.ts';
import { HmmDetector } from './hmm.ts';
import { JumpDetector } from './jump.ts';
import { RuleDetector } from './rules.ts';

export { DETECTOR_NAMES, type DetectorName, type RegimeDetector, type RegimeStream } from './detector.ts';
export * from './labels.ts';
export { orderNote, summariseRegimes, type RegimeAxisSummary, type RegimeLabelSummary } from './summary.ts';

/** What each detector is, in a line (for --help and the UI). */
export const DETECTOR_SUMMARIES: Readonly<Record<DetectorName, string>> = {
  rules: 'moving-average slope + ADX; volatility and volume ranked against their trailing history',
  hmm: 'Gaussian hidden Markov model refitted on a trailing window, forward filter only',
  jump: 'online statistical jump model (a penalty per switch), forward recursion only',
  bocpd: 'Bayesian online change-point detection with bounded run length',
};

/**
 * The persistence a user may set on a detector (absent: the detector's own default). The jump model's
 * persistence is its jump penalty; it has hysteresis 0 by design, but a minimum dwell applies to all.
 */
export interface DetectorSettings {
  readonly hysteresis?: number;
  readonly minDwell?: number;
  /** Only the jump detector has one. */
  readonly jumpPenalty?: number;
  /**
   * The jump detector's volatility feature as an exponentially weighted mean with this half-life in bars
   * (absent: the window mean). With a hysteresis it switches less at the HMM's delay (quality.test.ts).
   */
  readonly halflife?: number;
}

/**
 * `axes`: the axes the caller reads (all by default). The model detectors fit only those, an EM or a jump
 * fit per axis saved, and label them exactly as with all three; the others' labels are then absent.
 */
export function createDetector(
  name: DetectorName,
  timeframe: Timeframe,
  settings: DetectorSettings = {},
  axes?: readonly RegimeAxis[],
): RegimeDetector {
  const { jumpPenalty, halflife, hysteresis, minDwell } = settings;
  // An explicit undefined would override the detector's default in its spread of options.
  const persistence = {
    ...(hysteresis === undefined ? {} : { hysteresis }),
    ...(minDwell === undefined ? {} : { minDwell }),
  };
  for (const [field, value] of Object.entries({ jumpPenalty, halflife }))
    if (value !== undefined && name !== 'jump')
      throw new RangeError(`regime detector: ${field} applies to the jump detector only, not ${name}`);
  const options = { timeframe, persistence };
  const modelled = axes === undefined ? options : { ...options, axes };
  switch (name) {
    case 'rules':
      return new RuleDetector(options);
    case 'hmm':
      return new HmmDetector(modelled);
    case 'jump':
      return new JumpDetector({
        ...modelled,
        ...(jumpPenalty === undefined ? {} : { jumpPenalty }),
        ...(halflife === undefined ? {} : { halflife }),
      });
    case 'bocpd':
      return new BocpdDetector(options);
  }
}
