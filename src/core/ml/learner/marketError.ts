import { checkState, type Features, type ModelState } from '../base.ts';
import { LinearRegression } from '../linear/linearRegression.ts';
import { StandardScaler } from '../preprocessing/standardScaler.ts';

/**
 * A learned error model for the learner's confidence (the difficulty model of normalised conformal
 * prediction, learned online as MAPIE's residual estimator is, but prequentially): River's
 * `StandardScaler | LinearRegression` on the log of each absolute error the learner made, from the
 * market at the window's start (its regime, volatility, volume and calendar features) and how far the
 * prediction lies from the usual outcome. A window's errors are mostly its market's move, shared by
 * every set of it, so the market's state is what can tell a large error from a small one; the set's
 * own features (θ and its past) are left out: within a window they barely relate to the error (mean
 * rank correlation under 0.1 on GOOG and SPY), and with them the model, fed on some twenty independent
 * windows per thousand results, ranked worse (beside the learner's other two estimates, GOOG's top /
 * bottom confidence decile ratio 0.62 with them and 0.52 without, SPY's 0.57 and 0.54). Alone it ranks
 * worse than beside them (GOOG 0.84): it is one weak signal among three.
 *
 * It keeps its own scaler: the learner's restarts after drift, while what makes a market's errors
 * large changes slowly.
 */
const KIND = 'market-error';
const VERSION = 1;
/** Standardised inputs are clipped as the learner clips its own (see ParameterLearner.standardised). */
const CLIP = 5;
/** The SGD step (the learner's level model's, for its 40-odd inputs: see DEFAULT_LEARNING_RATE there). */
const LEARNING_RATE = 0.001;
/** The log is taken of the error plus this share of the mean error, so an exact hit is not -Infinity. */
const FLOOR = 0.05;

export class MarketErrorModel {
  private scaler = new StandardScaler();
  private regression = new LinearRegression({ learningRate: LEARNING_RATE });
  private meanError = 0;
  private learned = 0;

  /** The expected log error of a prediction: larger means a larger error to expect. */
  estimate(features: Features, deviation: number): number {
    return this.regression.predictOne(this.input(features, deviation));
  }

  learn(features: Features, deviation: number, absError: number): void {
    this.learned++;
    this.meanError += (absError - this.meanError) / this.learned;
    this.scaler.learnOne(marketInputs(features, deviation));
    const error = absError + FLOOR * this.meanError;
    // Every error so far an exact hit (windows where no set traded score 0, as predicted): no size yet
    // to take the log of, and log(0) would end the run.
    if (error === 0) return;
    this.regression.learnOne(this.input(features, deviation), Math.log(error));
  }

  toState(): ModelState<typeof KIND> {
    return {
      kind: KIND,
      version: VERSION,
      meanError: this.meanError,
      learned: this.learned,
      scaler: this.scaler.toState(),
      regression: this.regression.toState(),
    };
  }

  static fromState(state: ModelState): MarketErrorModel {
    checkState(state, KIND, VERSION);
    const model = new MarketErrorModel();
    model.meanError = state.meanError as number;
    model.learned = state.learned as number;
    model.scaler = StandardScaler.fromState(state.scaler as ModelState);
    model.regression = LinearRegression.fromState(state.regression as ModelState);
    return model;
  }

  private input(features: Features, deviation: number): Features {
    const scaled = this.scaler.transformOne(marketInputs(features, deviation));
    for (const key in scaled) scaled[key] = Math.max(-CLIP, Math.min(CLIP, scaled[key]!));
    return scaled;
  }
}

/** The market's features (all but the set's θ and past) and the prediction's deviation. */
function marketInputs(features: Features, deviation: number): Record<string, number> {
  const out: Record<string, number> = { deviation };
  for (const key in features)
    if (!key.startsWith('param.') && !key.startsWith('past.')) out[key] = features[key]!;
  return out;
}
