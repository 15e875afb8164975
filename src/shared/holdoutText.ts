import type { StudyHoldout } from './optimizeContract.ts';

/**
 * Which bars a study's holdout figures are on, as the Optimize view and the CLI say it: every symbol and
 * timeframe the study scored (their figures combined as its trials' are), or, for a study finished before
 * holdouts covered every slice, its first slice alone. Null for a study of one slice (nothing to say).
 */
export function holdoutCoverageText(holdout: StudyHoldout): string | null {
  if (holdout.slices === undefined)
    return "the first symbol's bars only: the study finished before holdouts covered every symbol";
  if (holdout.slices.length < 2) return null;
  const labels = holdout.slices.map((s) => s.label).join(', ');
  return `held out on each of ${labels}; the figures are theirs combined as the study combines its trials' (each one's below)`;
}
