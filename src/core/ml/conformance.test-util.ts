import { expect, it } from 'vitest';
import { createRng, type Rng } from '../math/random.ts';
import type { ClassLabel, Classifier, Features, ModelState, Regressor, Transformer } from './base.ts';

/**
 * The conformance suites every learner family runs (as samplers and cost models have theirs): the same
 * seeded stream gives the same predictions twice; learnMany equals a learnOne loop; a model saved
 * mid-stream and restored from its JSON predicts bit-identically, and keeps doing so as both go on
 * learning.
 */

/** A seeded stream with a little structure: y depends on two of three features, plus noise. */
export function regressionStream(seed: number, n: number): { xs: Features[]; ys: number[] } {
  const rng = createRng(seed);
  const xs: Features[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = { a: rng.normal(), b: rng.normal(), c: rng.float() };
    xs.push(x);
    ys.push(1.5 * x.a - 0.7 * x.b + 0.1 * rng.normal());
  }
  return { xs, ys };
}

export function classificationStream(seed: number, n: number): { xs: Features[]; ys: ClassLabel[] } {
  const rng: Rng = createRng(seed);
  const xs: Features[] = [];
  const ys: ClassLabel[] = [];
  const labels = ['bull', 'bear', 'sideways'];
  for (let i = 0; i < n; i++) {
    const k = rng.int(3);
    xs.push({ a: k + rng.normal() * 0.8, b: -k + rng.normal() * 0.8 });
    ys.push(labels[k]!);
  }
  return { xs, ys };
}

const throughJson = (state: ModelState): ModelState => JSON.parse(JSON.stringify(state)) as ModelState;

interface Learner<Y> {
  learnOne(x: Features, y: Y): void;
  learnMany(xs: readonly Features[], ys: readonly Y[]): void;
  toState(): ModelState;
}

/**
 * The three checks every family shares, over what a model's prediction is for its family (a number, a
 * probability map as entries): the same stream twice, learnMany against a learnOne loop, and a JSON
 * round trip mid-stream after which both go on learning.
 */
function learnerConformance<M extends Learner<Y>, Y>(
  create: () => M,
  restore: (state: ModelState) => M,
  stream: { xs: Features[]; ys: Y[] },
  predict: (model: M, x: Features) => unknown,
): void {
  const { xs, ys } = stream;

  it('is deterministic: the same stream gives the same predictions', () => {
    const a = create();
    const b = create();
    for (let i = 0; i < xs.length; i++) {
      expect(predict(a, xs[i]!)).toEqual(predict(b, xs[i]!));
      a.learnOne(xs[i]!, ys[i]!);
      b.learnOne(xs[i]!, ys[i]!);
    }
  });

  it('learnMany gives exactly what looping learnOne gives', () => {
    const looped = create();
    for (let i = 0; i < xs.length; i++) looped.learnOne(xs[i]!, ys[i]!);
    const batched = create();
    batched.learnMany(xs.slice(0, 250), ys.slice(0, 250));
    batched.learnMany(xs.slice(250), ys.slice(250));
    for (const x of xs.slice(0, 50)) expect(predict(batched, x)).toEqual(predict(looped, x));
  });

  it('round-trips through JSON mid-stream with bit-identical predictions, then learns on alike', () => {
    const original = create();
    original.learnMany(xs.slice(0, 300), ys.slice(0, 300));
    const copy = restore(throughJson(original.toState()));
    for (let i = 300; i < xs.length; i++) {
      expect(predict(copy, xs[i]!)).toEqual(predict(original, xs[i]!));
      original.learnOne(xs[i]!, ys[i]!);
      copy.learnOne(xs[i]!, ys[i]!);
    }
  });
}

export function regressorConformance(
  create: () => Regressor,
  restore: (state: ModelState) => Regressor,
): void {
  const { xs, ys } = regressionStream(7, 600);
  learnerConformance(create, restore, { xs, ys }, (model, x) => model.predictOne(x));

  it('learns: its error on the second half is below the error of predicting the mean', () => {
    const model = create();
    let modelError = 0;
    let meanError = 0;
    let sum = 0;
    for (let i = 0; i < xs.length; i++) {
      if (i >= xs.length / 2) {
        modelError += (model.predictOne(xs[i]!) - ys[i]!) ** 2;
        meanError += (sum / i - ys[i]!) ** 2;
      }
      model.learnOne(xs[i]!, ys[i]!);
      sum += ys[i]!;
    }
    expect(modelError).toBeLessThan(meanError);
  });
}

export function classifierConformance(
  create: () => Classifier,
  restore: (state: ModelState) => Classifier,
): void {
  const { xs, ys } = classificationStream(11, 600);
  learnerConformance(create, restore, { xs, ys }, (model, x) => [...model.predictProbaOne(x)]);

  it('gives probabilities that sum to one', () => {
    const model = create();
    for (let i = 0; i < xs.length; i++) {
      const p = model.predictProbaOne(xs[i]!);
      if (p.size > 0) expect([...p.values()].reduce((s, q) => s + q, 0)).toBeCloseTo(1, 12);
      model.learnOne(xs[i]!, ys[i]!);
    }
  });

  it('beats the majority class on held-out data', () => {
    const model = create();
    model.learnMany(xs.slice(0, 400), ys.slice(0, 400));
    let correct = 0;
    for (let i = 400; i < xs.length; i++) if (model.predictOne(xs[i]!) === ys[i]) correct++;
    const counts = new Map<ClassLabel, number>();
    for (const y of ys.slice(400)) counts.set(y, (counts.get(y) ?? 0) + 1);
    expect(correct).toBeGreaterThan(Math.max(...counts.values()));
  });
}

export function transformerConformance(
  create: () => Transformer,
  restore: (state: ModelState) => Transformer,
): void {
  const { xs } = regressionStream(3, 300);

  it('round-trips through JSON with bit-identical transforms', () => {
    const original = create();
    for (const x of xs.slice(0, 150)) original.learnOne(x);
    const copy = restore(throughJson(original.toState()));
    for (const x of xs.slice(150)) {
      expect(copy.transformOne(x)).toEqual(original.transformOne(x));
      original.learnOne(x);
      copy.learnOne(x);
    }
  });
}
