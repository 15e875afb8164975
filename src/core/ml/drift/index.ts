import type { DriftDetector } from '../base.ts';
import { Adwin } from './adwin.ts';

export { Adwin, type AdwinOptions } from './adwin.ts';

/** The drift detectors by the name the CLI and the learner's settings use, with their tunable delta. */
export const DRIFT_DETECTORS = {
  adwin: (options: { delta?: number }): DriftDetector => new Adwin(options),
} as const;

export type DriftDetectorName = keyof typeof DRIFT_DETECTORS;

/** Runs a detector over a series and returns the 0-based indices where it flagged drift. */
export function detectDrift(values: ArrayLike<number>, detector: DriftDetector): number[] {
  const found: number[] = [];
  for (let i = 0; i < values.length; i++) {
    detector.update(values[i]!);
    if (detector.driftDetected) found.push(i);
  }
  return found;
}
