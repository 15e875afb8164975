import { REGIME_DATASETS } from '../../../test/support/regimeData.ts';
import { describeDetectorConformance } from './conformance.test-util.ts';
import { HmmDetector } from './hmm.ts';

describeDetectorConformance('hmm', (timeframe) => new HmmDetector({ timeframe }), {
  datasets: REGIME_DATASETS,
  // EM refits make each prefix run cost a whole-series run; the 1,000 cuts are all checked on the stream.
  prefixRuns: 32,
});
