import { checkState, type Features, type ModelState } from '../base.ts';
import { GaussianNB } from '../naiveBayes/gaussianNB.ts';

const KIND = 'regime-forecaster';
const VERSION = 1;

/**
 * The next window's regime from the market at the current window's start (Gaussian naive Bayes), scored
 * prequentially beside the honest baseline, "the regime stays as it is": regimes persist, so beating the
 * baseline is the only evidence the classifier adds anything.
 */
export class RegimeForecaster {
  private model = new GaussianNB();
  private scored = 0;
  private modelHits = 0;
  private stayHits = 0;

  /** The most probable next regime; the current one before anything was learned. */
  predict(context: Features, current: string): string {
    const predicted = this.model.predictOne(context);
    return predicted === undefined ? current : String(predicted);
  }

  /** Scores the forecast made at the window's start against what came, then learns it. */
  learn(context: Features, current: string, next: string): void {
    if (this.scored > 0 || this.model.predictOne(context) !== undefined) {
      this.scored++;
      if (this.predict(context, current) === next) this.modelHits++;
      if (current === next) this.stayHits++;
    }
    this.model.learnOne(context, next);
  }

  /** Prequential accuracy of the classifier and of "the regime stays", over the same windows. */
  accuracy(): { windows: number; model: number; stays: number } {
    const share = (hits: number): number => (this.scored === 0 ? Number.NaN : hits / this.scored);
    return { windows: this.scored, model: share(this.modelHits), stays: share(this.stayHits) };
  }

  toState(): ModelState<typeof KIND> {
    return {
      kind: KIND,
      version: VERSION,
      model: this.model.toState(),
      scored: this.scored,
      modelHits: this.modelHits,
      stayHits: this.stayHits,
    };
  }

  static fromState(state: ModelState): RegimeForecaster {
    checkState(state, KIND, VERSION);
    const forecaster = new RegimeForecaster();
    forecaster.model = GaussianNB.fromState(state.model as ModelState);
    forecaster.scored = state.scored as number;
    forecaster.modelHits = state.modelHits as number;
    forecaster.stayHits = state.stayHits as number;
    return forecaster;
  }
}
