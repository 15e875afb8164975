import { REGIME_DATASETS } from '../../../test/support/regimeData.ts';
import { describeDetectorConformance } from './conformance.test-util.ts';
import { RuleDetector } from './rules.ts';

describeDetectorConformance('rules', (timeframe) => new RuleDetector({ timeframe }), {
  datasets: REGIME_DATASETS,
  // The rule detector's batch path is its stream (labelByStreaming), so a batch run on bars[0..cut] is
  // the stream the suite already feeds up to every one of the 1,000 cuts; 32 prefix runs comparing every
  // row keep the batch entry point checked on short and long prefixes. 1,000 runs took 73 s loaded.
  prefixRuns: 32,
});
