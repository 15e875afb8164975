import { checkState, type Features, type ModelState, type Regressor } from '../base.ts';

export interface BayesianLinearRegressionOptions {
  /** Prior precision of every weight (River: alpha=1): the ridge penalty is alpha / beta. */
  readonly alpha?: number;
  /** Noise precision (River: beta=1). */
  readonly beta?: number;
}

const KIND = 'bayesian-linear-regression';
const VERSION = 1;

/**
 * Bayesian linear regression with a Gaussian prior N(0, I / alpha) on the weights and Gaussian noise of
 * precision beta, updated exactly one observation at a time: River's `linear_model.BayesianLinearRegression`
 * without smoothing (no intercept, features met as they appear, each new one with the prior's precision).
 *
 * The posterior precision grows by beta·x·xᵀ per observation; its inverse is kept by the
 * Sherman-Morrison update, as River does, so a step is O(d²) and no system is ever solved. The posterior
 * mean is the ridge solution on everything seen: unlike SGD it has no learning rate, and a few weak
 * features among noisy ones do not make it wander from sample to sample.
 */
export class BayesianLinearRegression implements Regressor {
  readonly alpha: number;
  readonly beta: number;
  private keys: string[] = [];
  private readonly keyIndex = new Map<string, number>();
  /** Posterior covariance (the precision's inverse), row-major d × d. */
  private covariance: number[][] = [];
  /** beta · Σ weight·y·x: the precision times the posterior mean. */
  private moment: number[] = [];
  /** The posterior mean, covariance · moment. */
  private mean: number[] = [];

  constructor(options: BayesianLinearRegressionOptions = {}) {
    this.alpha = options.alpha ?? 1;
    this.beta = options.beta ?? 1;
    if (!(this.alpha > 0 && this.beta > 0))
      throw new RangeError(
        `Bayesian linear regression: alpha and beta must be > 0, got ${this.alpha}, ${this.beta}`,
      );
  }

  learnOne(x: Features, y: number, weight = 1): void {
    for (const key in x) if (!this.keyIndex.has(key)) this.addFeature(key);
    const d = this.keys.length;
    const v = new Float64Array(d);
    for (const key in x) v[this.keyIndex.get(key)!] = x[key]!;
    // Sherman-Morrison: (P + u vᵀ)⁻¹ = C - C u vᵀ C / (1 + vᵀ C u), with u = w·beta·v and C symmetric.
    const scale = weight * this.beta;
    const cv = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      const row = this.covariance[i]!;
      let s = 0;
      for (let j = 0; j < d; j++) s += row[j]! * v[j]!;
      cv[i] = s;
    }
    let vcv = 0;
    for (let i = 0; i < d; i++) vcv += v[i]! * cv[i]!;
    const factor = scale / (1 + scale * vcv);
    for (let i = 0; i < d; i++) {
      const row = this.covariance[i]!;
      const ci = cv[i]! * factor;
      for (let j = 0; j < d; j++) row[j]! -= ci * cv[j]!;
    }
    for (let i = 0; i < d; i++) this.moment[i]! += scale * y * v[i]!;
    for (let i = 0; i < d; i++) {
      const row = this.covariance[i]!;
      let s = 0;
      for (let j = 0; j < d; j++) s += row[j]! * this.moment[j]!;
      this.mean[i] = s;
    }
  }

  learnMany(xs: readonly Features[], ys: readonly number[]): void {
    xs.forEach((x, i) => this.learnOne(x, ys[i]!));
  }

  predictOne(x: Features): number {
    let s = 0;
    for (const key in x) {
      const i = this.keyIndex.get(key);
      if (i !== undefined) s += this.mean[i]! * x[key]!;
    }
    return s;
  }

  /** The posterior mean weights by feature. */
  weights(): Record<string, number> {
    return Object.fromEntries(this.keys.map((key, i) => [key, this.mean[i]!]));
  }

  toState(): ModelState<typeof KIND> {
    return {
      kind: KIND,
      version: VERSION,
      options: { alpha: this.alpha, beta: this.beta },
      keys: [...this.keys],
      covariance: this.covariance.map((row) => [...row]),
      moment: [...this.moment],
      mean: [...this.mean],
    };
  }

  static fromState(state: ModelState): BayesianLinearRegression {
    checkState(state, KIND, VERSION);
    const model = new BayesianLinearRegression(state.options as BayesianLinearRegressionOptions);
    (state.keys as string[]).forEach((key, i) => model.keyIndex.set(key, i));
    model.keys = [...(state.keys as string[])];
    model.covariance = (state.covariance as number[][]).map((row) => [...row]);
    model.moment = [...(state.moment as number[])];
    model.mean = [...(state.mean as number[])];
    return model;
  }

  /** A feature met for the first time: independent of the others a priori, with the prior's variance. */
  private addFeature(key: string): void {
    const d = this.keys.length;
    this.keyIndex.set(key, d);
    this.keys.push(key);
    for (const row of this.covariance) row.push(0);
    this.covariance.push([...new Array<number>(d).fill(0), 1 / this.alpha]);
    this.moment.push(0);
    this.mean.push(0);
  }
}
