import {
  argMax,
  checkState,
  type ClassLabel,
  type Classifier,
  type Features,
  type ModelState,
} from '../base.ts';

const KIND = 'gaussian-nb';
const VERSION = 1;

interface Gaussian {
  count: number;
  mean: number;
  m2: number;
}

/**
 * River's `naive_bayes.GaussianNB`: per class and feature a running Gaussian (sample variance, ddof 1, as
 * River's proba.Gaussian); the joint log-likelihood of a class is log P(class) plus, per feature,
 * log(1e-9 + pdf) (River's floor, which keeps an unseen or zero-variance feature from sending a class to
 * minus infinity), and probabilities are its softmax.
 */
export class GaussianNB implements Classifier {
  private classCounts = new Map<ClassLabel, number>();
  private gaussians = new Map<ClassLabel, Map<string, Gaussian>>();
  private total = 0;

  learnOne(x: Features, y: ClassLabel): void {
    this.classCounts.set(y, (this.classCounts.get(y) ?? 0) + 1);
    this.total += 1;
    let perFeature = this.gaussians.get(y);
    if (!perFeature) {
      perFeature = new Map();
      this.gaussians.set(y, perFeature);
    }
    for (const key in x) {
      const value = x[key]!;
      if (!Number.isFinite(value)) throw new RangeError(`GaussianNB: feature "${key}" is ${value}`);
      let g = perFeature.get(key);
      if (!g) {
        g = { count: 0, mean: 0, m2: 0 };
        perFeature.set(key, g);
      }
      g.count += 1;
      const delta = value - g.mean;
      g.mean += delta / g.count;
      g.m2 += delta * (value - g.mean);
    }
  }

  learnMany(xs: readonly Features[], ys: readonly ClassLabel[]): void {
    if (xs.length !== ys.length)
      throw new RangeError(`learnMany: ${xs.length} inputs but ${ys.length} labels`);
    for (let i = 0; i < xs.length; i++) this.learnOne(xs[i]!, ys[i]!);
  }

  predictProbaOne(x: Features): Map<ClassLabel, number> {
    const logLikelihood = new Map<ClassLabel, number>();
    let max = -Infinity;
    for (const [label, count] of this.classCounts) {
      const perFeature = this.gaussians.get(label)!;
      let ll = Math.log(count / this.total);
      for (const key in x) ll += Math.log(1e-9 + pdf(perFeature.get(key), x[key]!));
      logLikelihood.set(label, ll);
      if (ll > max) max = ll;
    }
    let sum = 0;
    for (const [label, ll] of logLikelihood) {
      const e = Math.exp(ll - max);
      logLikelihood.set(label, e);
      sum += e;
    }
    for (const [label, e] of logLikelihood) logLikelihood.set(label, e / sum);
    return logLikelihood;
  }

  predictOne(x: Features): ClassLabel | undefined {
    return argMax(this.predictProbaOne(x));
  }

  toState(): ModelState<typeof KIND> {
    return {
      kind: KIND,
      version: VERSION,
      total: this.total,
      classes: [...this.classCounts].map(([label, count]) => ({
        label,
        count,
        features: [...this.gaussians.get(label)!].map(([k, g]) => [k, { ...g }]),
      })),
    };
  }

  static fromState(state: ModelState): GaussianNB {
    checkState(state, KIND, VERSION);
    const model = new GaussianNB();
    model.total = state.total as number;
    for (const c of state.classes as { label: ClassLabel; count: number; features: [string, Gaussian][] }[]) {
      model.classCounts.set(c.label, c.count);
      model.gaussians.set(c.label, new Map(c.features.map(([k, g]) => [k, { ...g }])));
    }
    return model;
  }
}

/** River's proba.Gaussian density: 0 until the sample variance is positive. */
function pdf(g: Gaussian | undefined, x: number): number {
  if (!g || g.count < 2) return 0;
  const variance = g.m2 / (g.count - 1);
  if (!(variance > 0)) return 0;
  return Math.exp(((x - g.mean) * (x - g.mean)) / (-2 * variance)) / Math.sqrt(2 * Math.PI * variance);
}
