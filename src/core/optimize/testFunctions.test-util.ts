/**
 * Standard optimisation test functions (all minimised), with their spaces and known minima, and the way
 * samplers are compared on them (best value reached, median over seeds): used by the sampler tests and by
 * bench/optimize.bench.ts. Definitions follow Surjanovic & Bingham's Virtual Library of Simulation
 * Experiments (sfu.ca/~ssurjano).
 */
import type { SamplerConfig } from './sampler.ts';
import { createSpace, floatParam, type Params, type SearchSpace } from './space.ts';
import { Study } from './study.ts';

export interface TestFunction {
  readonly name: string;
  readonly space: SearchSpace;
  /** The global minimum value. */
  readonly minimum: number;
  evaluate(params: Params): number;
}

const num = (params: Params, name: string): number => params[name] as number;

/** Branin-Hoo on [-5, 10] x [0, 15]; three global minima of 0.397887. */
export const branin: TestFunction = {
  name: 'Branin',
  space: createSpace([floatParam('x1', -5, 10), floatParam('x2', 0, 15)]),
  minimum: 0.39788735772973816,
  evaluate(params) {
    const x1 = num(params, 'x1');
    const x2 = num(params, 'x2');
    const b = 5.1 / (4 * Math.PI * Math.PI);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
  },
};

const H6_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H6_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H6_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((row) => row.map((v) => v * 1e-4));

/** Hartmann 6-D on [0, 1]^6; global minimum -3.32237. */
export const hartmann6: TestFunction = {
  name: 'Hartmann-6',
  space: createSpace(Array.from({ length: 6 }, (_, i) => floatParam(`x${i + 1}`, 0, 1))),
  minimum: -3.32236801141551,
  evaluate(params) {
    let outer = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++) {
        const d = num(params, `x${j + 1}`) - H6_P[i]![j]!;
        inner += H6_A[i]![j]! * d * d;
      }
      outer += H6_ALPHA[i]! * Math.exp(-inner);
    }
    return -outer;
  },
};

/** Rastrigin in `dims` dimensions on [-5.12, 5.12]^dims; global minimum 0 at the origin. */
export function rastrigin(dims: number): TestFunction {
  return {
    name: `Rastrigin-${dims}`,
    space: createSpace(Array.from({ length: dims }, (_, i) => floatParam(`x${i + 1}`, -5.12, 5.12))),
    minimum: 0,
    evaluate(params) {
      let sum = 10 * dims;
      for (let i = 0; i < dims; i++) {
        const x = num(params, `x${i + 1}`);
        sum += x * x - 10 * Math.cos(2 * Math.PI * x);
      }
      return sum;
    },
  };
}

export const rastrigin10 = rastrigin(10);

/**
 * A two-objective problem for NSGA-II (Schaffer's function N.1 on x in [-10, 10] plus a passive second
 * variable): minimise x^2 and (x - 2)^2; the Pareto set is x in [0, 2].
 */
export const schaffer: {
  readonly space: SearchSpace;
  evaluate(params: Params): [number, number];
} = {
  space: createSpace([floatParam('x', -10, 10), floatParam('y', 0, 1)]),
  evaluate(params) {
    const x = num(params, 'x');
    return [x * x, (x - 2) * (x - 2)];
  },
};

/** The lowest value a sampler finds on `fn` in `budget` trials from `seed`, asked for all at once. */
export function bestOf(fn: TestFunction, sampler: SamplerConfig, seed: number, budget: number): number {
  const study = new Study({
    space: fn.space,
    sampler,
    objectives: [{ metric: 'y', direction: 'minimize' }],
    seed,
    maxTrials: budget,
  });
  let best = Infinity;
  for (;;) {
    const asked = study.ask(budget);
    if (asked.length === 0) break;
    for (const t of asked) {
      const y = fn.evaluate(t.params);
      best = Math.min(best, y);
      study.tell(t.number, { status: 'complete', values: [y] });
    }
  }
  return best;
}
