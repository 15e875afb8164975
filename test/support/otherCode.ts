/** Imported by a worker of "other code": one more strategy, so its engine hash and queue differ. */
import { getStrategy, STRATEGIES, type StrategyDefinition } from '../../src/core/strategy/index.ts';

(STRATEGIES as Record<string, StrategyDefinition>)['test-other'] = {
  ...getStrategy('sma-cross'),
  name: 'test-other',
};
