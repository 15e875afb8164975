/** Regime detectors by name: what the CLI, the services and the UI choose from. */
import type { Timeframe } from '../data/bars.ts';
import { BocpdDetector } from './bocpd.ts';
import type { DetectorName, RegimeDetector } from './detector.ts';
import { HmmDetector } from './hmm.ts';
import { JumpDetector } from './jump.ts';
import { RuleDetector } from './rules.ts';

export { DETECTOR_NAMES, type DetectorName, type RegimeDetector, type RegimeStream } from './detector.ts';
export * from './labels.ts';
export { summariseRegimes, type RegimeAxisSummary, type RegimeLabelSummary } from './summary.ts';

/** What each detector is, in a line (for --help and the UI). */
export const DETECTOR_SUMMARIES: Readonly<Record<DetectorName, string>> = {
  rules: 'moving-average slope + ADX; volatility and volume ranked against their trailing history',
  hmm: 'Gaussian hidden Markov model refitted on a trailing window, forward filter only',
  jump: 'online statistical jump model (a penalty per switch), forward recursion only',
  bocpd: 'Bayesian online change-point detection with bounded run length',
};

export function createDetector(name: DetectorName, timeframe: Timeframe): RegimeDetector {
  switch (name) {
    case 'rules':
      return new RuleDetector({ timeframe });
    case 'hmm':
      return new HmmDetector({ timeframe });
    case 'jump':
      return new JumpDetector({ timeframe });
    case 'bocpd':
      return new BocpdDetector({ timeframe });
  }
}
