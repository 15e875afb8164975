import type { PersistenceOptions } from './detector.ts';
import type { FeatureState } from './features.ts';
import type { RegimeAxis } from './labels.ts';
import { ModelDetector, type ModelDetectorOptions } from './modelDetector.ts';
import { GaussianHmm, type AxisModel } from './models.ts';

/**
 * A causal Gaussian HMM per axis: EM on the trailing window at each refit, the forward filter in between.
 * Volatility is modelled the classic way, on the bar's own (deseasonalised) return with a variance per
 * state about one shared mean, states ordered by variance; trend on the trend score and volume on the log relative volume,
 * states ordered by mean.
 */
export class HmmDetector extends ModelDetector {
  readonly name = 'hmm' as const;
  readonly inputs = {
    trend: ['trendScore'],
    volatility: ['deseasonalisedReturn'],
    volume: ['logVolume'],
  } as const;

  constructor(
    options: ModelDetectorOptions,
    defaults: PersistenceOptions = { hysteresis: 0.2, minDwell: 1 },
  ) {
    super(options, defaults);
  }

  createModel(axis: RegimeAxis): AxisModel {
    return new GaussianHmm({
      states: this.states[axis],
      maxWindow: this.windows.history,
      orderBy: axis === 'volatility' ? 'variance' : 'mean',
    });
  }

  observe(axis: RegimeAxis, f: FeatureState): number {
    if (axis === 'trend') return f.trendScore;
    if (axis === 'volume') return f.logVolume;
    return Math.sign(f.logReturn) * Math.sqrt(f.deseasonalisedVariance);
  }
}
