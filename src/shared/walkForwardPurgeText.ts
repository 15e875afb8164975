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
