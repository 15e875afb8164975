import { REGIME_DATASETS } from '../../../test/support/regimeData.ts';
import { describeDetectorConformance } from './conformance.test-util.ts';
import { RuleDetector } from './rules.ts';

describeDetectorConformance('rules', (timeframe) => new RuleDetector({ timeframe }), {
  datasets: REGIME_DATASETS,
});
