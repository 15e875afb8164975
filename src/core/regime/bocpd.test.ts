import { REGIME_DATASETS } from '../../../test/support/regimeData.ts';
import { BocpdDetector } from './bocpd.ts';
import { describeDetectorConformance } from './conformance.test-util.ts';

describeDetectorConformance('bocpd', (timeframe) => new BocpdDetector({ timeframe }), {
  datasets: REGIME_DATASETS,
  // Each prefix run costs a whole run over its bars; the 1,000 cuts are all checked on the stream.
  prefixRuns: 32,
});
