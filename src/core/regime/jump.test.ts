import { REGIME_DATASETS } from '../../../test/support/regimeData.ts';
import { describeDetectorConformance } from './conformance.test-util.ts';
import { JumpDetector } from './jump.ts';

describeDetectorConformance('jump', (timeframe) => new JumpDetector({ timeframe }), {
  datasets: REGIME_DATASETS,
  // Each prefix run refits over its bars; the 1,000 cuts are all checked on the stream, and each of
  // these runs compares every row of its prefix.
  prefixRuns: 100,
});

// The volatility feature as an exponentially weighted mean (which never quite forgets its start: the
// warm-up covers 30 half-lives) holds the same contract.
describeDetectorConformance(
  'jump, exponentially weighted volatility',
  (timeframe) => new JumpDetector({ timeframe, halflife: 3, persistence: { hysteresis: 0.5 } }),
  { datasets: REGIME_DATASETS, prefixRuns: 20 },
);
