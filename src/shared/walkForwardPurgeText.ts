import type { WalkForwardResult } from './optimizeContract.ts';

/**
 * A run's purge gap in words, as the Walk-forward panel's summary and the CLI's report say it: how far
 * before its test window each train window ended, and, for 'warm-up', the warm-up it was measured as.
 */
export function walkForwardPurgeText(purge: WalkForwardResult['purge']): string {
  const gap =
    purge.length === 0
      ? 'no purge gap: each train window ends where its test window begins'
      : `purge: each train window ends ${purge.length} ${purge.unit} before its test window`;
  const measured =
    purge.warmupBars === null ? '' : ` (the strategy's longest warm-up, ${purge.warmupBars} bars)`;
  return `${gap}${measured}; each test run trades from the first bar after its train window`;
}

/**
 * Whether a purge leaves a train window of `full` bars (or days) too short to choose parameters on:
 * under half of it. One rule for the run's note after it (walkForwardService's purgeShortfall) and the
 * Optimize form's as the purge is typed (purgeFormNote).
 */
export const purgeLeavesTrainShort = (kept: number, full: number): boolean => kept * 2 < full;

/** What either says to do about a purge that leaves a train window short or empty. */
export const PURGE_REMEDY = 'give a shorter purge or a longer train window';
