import { checkState, type Features, type ModelState, type Regressor } from '../base.ts';

export interface LinearRegressionOptions {
  /** SGD learning rate for the weights (River: optim.SGD(0.01)). */
  readonly learningRate?: number;
  /** Constant learning rate for the intercept (River: intercept_lr=0.01). */
  readonly interceptLearningRate?: number;
  /** L2 penalty on the weights (River: 0). */
  readonly l2?: number;
  /** Initial intercept (River: 0). */
  readonly interceptInit?: number;
  /** Bound on the absolute loss gradient (River: 1e12). */
  readonly clipGradient?: number;
}

const KIND = 'linear-regression';
const VERSION = 1;

/**
 * River's `linear_model.LinearRegression` with its defaults: squared loss, whose gradient River takes as
 * 2 (prediction - target) (the Vowpal Wabbit / PyTorch convention, not scikit-learn's halved one), plain
 * SGD on the weights at 0.01, a separate constant intercept rate of 0.01, weights starting at 0 and
 * created as features first appear. Unscaled inputs diverge with SGD as they do in River: put a
 * StandardScaler in front, as River's examples do.
 */
export class LinearRegression implements Regressor {
  readonly learningRate: number;
  readonly interceptLearningRate: number;
  readonly l2: number;
  readonly clipGradient: number;
  private readonly interceptInit: number;
  private intercept: number;
  private weights = new Map<string, number>();

  constructor(options: LinearRegressionOptions = {}) {
    this.learningRate = options.learningRate ?? 0.01;
    this.interceptLearningRate = options.interceptLearningRate ?? 0.01;
    this.l2 = options.l2 ?? 0;
    this.interceptInit = options.interceptInit ?? 0;
    this.clipGradient = options.clipGradient ?? 1e12;
    this.intercept = this.interceptInit;
    if (!(this.learningRate > 0))
      throw new RangeError(`learningRate must be positive, got ${this.learningRate}`);
    if (!(this.l2 >= 0)) throw new RangeError(`l2 must be non-negative, got ${this.l2}`);
  }

  predictOne(x: Features): number {
    let y = this.intercept;
    for (const key in x) y += (this.weights.get(key) ?? 0) * x[key]!;
    return y;
  }

  learnOne(x: Features, y: number, weight = 1): void {
    if (!Number.isFinite(y)) throw new RangeError(`LinearRegression: target is ${y}`);
    const raw = 2 * (this.predictOne(x) - y) * weight;
    const g = Math.min(Math.max(raw, -this.clipGradient), this.clipGradient);
    // River updates the intercept with the loss gradient, then the weights with g·x (+ l2·w).
    this.intercept -= this.interceptLearningRate * g;
    for (const key in x) {
      const w = this.weights.get(key) ?? 0;
      this.weights.set(key, w - this.learningRate * (g * x[key]! + this.l2 * w));
    }
  }

  learnMany(xs: readonly Features[], ys: readonly number[]): void {
    if (xs.length !== ys.length)
      throw new RangeError(`learnMany: ${xs.length} inputs but ${ys.length} targets`);
    for (let i = 0; i < xs.length; i++) this.learnOne(xs[i]!, ys[i]!);
  }

  /** The learned weights by feature, and the intercept. */
  coefficients(): { weights: Record<string, number>; intercept: number } {
    return { weights: Object.fromEntries(this.weights), intercept: this.intercept };
  }

  toState(): ModelState<typeof KIND> {
    return {
      kind: KIND,
      version: VERSION,
      options: {
        learningRate: this.learningRate,
        interceptLearningRate: this.interceptLearningRate,
        l2: this.l2,
        interceptInit: this.interceptInit,
        clipGradient: this.clipGradient,
      },
      intercept: this.intercept,
      weights: [...this.weights],
    };
  }

  static fromState(state: ModelState): LinearRegression {
    checkState(state, KIND, VERSION);
    const model = new LinearRegression(state.options as LinearRegressionOptions);
    model.intercept = state.intercept as number;
    model.weights = new Map(state.weights as [string, number][]);
    return model;
  }
}
