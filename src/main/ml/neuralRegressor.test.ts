import { describe } from 'vitest';
import { regressorConformance } from '../../core/ml/conformance.test-util.ts';
import { NeuralRegressor } from './neuralRegressor.ts';

describe('NeuralRegressor (brain.js, online)', () => {
  regressorConformance(
    () => new NeuralRegressor({ seed: 4, hiddenLayers: [6] }),
    (s) => NeuralRegressor.fromState(s),
  );
});
