import { REGIME_DATASETS } from '../../../test/support/regimeData.ts';
import { describeDetectorConformance } from './conformance.test-util.ts';
import { JumpDetector } from './jump.ts';

describeDetectorConformance('jump', (timeframe) => new JumpDetector({ timeframe }), {
  datasets: REGIME_DATASETS,
});
