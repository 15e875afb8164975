import { REGIME_DATASETS } from '../../../test/support/regimeData.ts';
import { describeDetectorConformance } from './conformance.test-util.ts';
import { HmmDetector } from './hmm.ts';

describeDetectorConformance('hmm', (timeframe) => new HmmDetector({ timeframe }), {
  datasets: REGIME_DATASETS,
});
