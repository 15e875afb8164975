import { createRng } from '../../math/random.ts';
import { quintilesOf, type PanelWindow } from './panel.ts';
import { ParameterLearner } from './parameterLearner.ts';

/**
 * The planted abrupt shift the drift test and the bench share: y = 1.5 x1 - x2 + noise for `shiftAt`
 * results, then at once x1's level moves by 4 and the relation becomes y = -2 x1 + x2 + 3. Returns the
 * absolute error of each prediction made before its result was learned.
 */
export function plantedShiftErrors(
  seed: number,
  options: { driftReset: boolean; shiftAt: number; total: number },
): { errors: number[]; resets: number } {
  const rng = createRng(seed);
  // Two features: River's own SGD rate suits them (the learner's lower default is for its 40-odd).
  const learner = new ParameterLearner({ seed: 1, driftReset: options.driftReset, learningRate: 0.01 });
  const errors: number[] = [];
  for (let i = 0; i < options.total; i++) {
    const shifted = i >= options.shiftAt;
    const x1 = rng.normal() + (shifted ? 4 : 0);
    const x2 = rng.normal();
    const y = shifted ? -2 * x1 + x2 + 3 + 0.3 * rng.normal() : 1.5 * x1 - x2 + 0.3 * rng.normal();
    errors.push(Math.abs(y - learner.predict({ x1, x2 }).score));
    learner.learn({ x1, x2 }, { score: y });
  }
  return { errors, resets: learner.resets };
}

/**
 * A learner taught that a set's score falls with its fast period and nothing else matters (planted:
 * score = 1 - 20 fast + noise over 40 windows of 20 sets), so a recommendation's best set is known.
 */
export function fastPeriodLearner(): ParameterLearner {
  const rng = createRng(3);
  const learner = new ParameterLearner({ seed: 1 });
  for (let w = 0; w < 40; w++) {
    learner.learnWindow(
      Array.from({ length: 20 }, () => {
        const fast = rng.float() * 0.2;
        const slow = 0.02 + rng.float() * 0.2;
        return {
          features: { 'param.fast': fast, 'param.slow': slow },
          target: { score: 1 - 20 * fast + 0.05 * rng.normal() },
        };
      }),
    );
  }
  return learner;
}

/**
 * A planted market of 60 windows x 50 sets: a set's score is `signal` x (2a - b) plus a level every set
 * of the window shares plus noise; the regime alternates bull, bear every window, so "the regime stays"
 * is always wrong and a forecaster reading the context can always be right. A signal of 0 leaves the
 * sets' order in each window pure noise: nothing a learner could rank them by.
 */
export function plantedPanel(signal = 1, seed = 21): PanelWindow[] {
  const rng = createRng(seed);
  const sets = Array.from({ length: 50 }, () => ({ a: rng.float(), b: rng.float() }));
  return Array.from({ length: 60 }, (_, index) => {
    const level = 2 * rng.normal();
    const bull = index % 2 === 0;
    const scores = sets.map(({ a, b }) => signal * (2 * a - b) + level + 0.3 * rng.normal());
    const quintiles = quintilesOf(scores);
    const context = {
      'regime.trend.p.bull': (bull ? 0.8 : 0.2) + 0.05 * rng.normal(),
      'market.noise': rng.normal(),
    };
    return {
      index,
      start: index * 10 + 1,
      end: index * 10 + 11,
      startTime: index,
      scoredFrom: index * 10 + 1,
      riskFreePerBar: 0,
      regime: bull ? 'bull' : 'bear',
      nextRegime: bull ? 'bear' : 'bull',
      context,
      rows: sets.map(({ a, b }, j) => ({
        params: { a, b },
        features: { 'param.a': a, 'param.b': b, ...context },
        score: scores[j]!,
        previousScore: null,
        quintile: quintiles[j]!,
      })),
    };
  });
}
