import { describe, expect, it } from 'vitest';
import { createRng } from '../math/random.ts';
import { ConformalIntervals } from './conformal.ts';
import { LinearRegression } from './linear/linearRegression.ts';

/** Prequential run: predict, take the interval, then learn the outcome; coverage over the last `held`. */
function coverage(
  alpha: number,
  stream: (i: number) => { x: Record<string, number>; y: number },
  n: number,
  held: number,
) {
  const model = new LinearRegression();
  const conformal = new ConformalIntervals({ alpha });
  let covered = 0;
  for (let i = 0; i < n; i++) {
    const { x, y } = stream(i);
    const prediction = model.predictOne(x);
    const { lower, upper } = conformal.interval(prediction);
    if (i >= n - held && y >= lower && y <= upper) covered++;
    conformal.observe(prediction, y);
    model.learnOne(x, y);
  }
  return covered / held;
}

describe('ConformalIntervals', () => {
  const rng = createRng(42);
  const stationary = () => {
    const x = { a: rng.normal(), b: rng.normal() };
    return { x, y: 0.8 * x.a - 0.3 * x.b + 0.5 * rng.normal() };
  };

  it('covers within 2 points of nominal (80 % and 90 %) over 4,000 held-out predictions', () => {
    expect(Math.abs(coverage(0.2, stationary, 5000, 4000) - 0.8)).toBeLessThan(0.02);
    expect(Math.abs(coverage(0.1, stationary, 5000, 4000) - 0.9)).toBeLessThan(0.02);
  });

  it('keeps coverage near nominal when the noise level triples mid-stream (adaptive α)', () => {
    const shifting = (i: number) => {
      const x = { a: rng.normal() };
      return { x, y: x.a + (i < 3000 ? 0.3 : 0.9) * rng.normal() };
    };
    expect(Math.abs(coverage(0.1, shifting, 6000, 2000) - 0.9)).toBeLessThan(0.02);
  });

  it('uses a stratum’s own residuals once it has enough, and infinite intervals with none', () => {
    const c = new ConformalIntervals({ alpha: 0.1, minStratum: 20, gamma: 0 });
    expect(c.interval(1).basis).toBe('none');
    for (let i = 0; i < 100; i++) c.observe(0, i % 2 === 0 ? 0.1 : -0.1, 'calm');
    for (let i = 0; i < 30; i++) c.observe(0, i % 2 === 0 ? 5 : -5, 'turbulent');
    expect(c.interval(0, 'calm').basis).toBe('stratum');
    expect(c.interval(0, 'calm').halfWidth).toBeCloseTo(0.1, 12);
    expect(c.interval(0, 'turbulent').halfWidth).toBeCloseTo(5, 12);
    expect(c.interval(0, 'unseen').basis).toBe('all');
  });

  it('judges a window of outcomes against the intervals issued for it, so its issued coverage meets the adaptive bound', () => {
    // Windows of 50 outcomes that share their scale (one market), the scale jumping between windows: the
    // case where judging a window's later outcomes against its earlier residuals went wrong.
    const gamma = 0.05;
    const alpha = 0.1;
    const c = new ConformalIntervals({ alpha, gamma, window: 500 });
    const local = createRng(8);
    let issued = 0;
    let missed = 0;
    let steps = 0;
    for (let w = 0; w < 2000; w++) {
      const scale = Math.exp(1.5 * local.normal());
      const outcomes = Array.from({ length: 50 }, () => ({ prediction: 0, actual: scale * local.normal() }));
      const intervals = outcomes.map(() => c.interval(0));
      if (intervals[0]!.basis !== 'none') steps++;
      outcomes.forEach(({ actual }, i) => {
        if (intervals[i]!.basis === 'none') return;
        issued++;
        if (actual < intervals[i]!.lower || actual > intervals[i]!.upper) missed++;
      });
      c.observeWindow(outcomes);
    }
    // Gibbs & Candès (2021), Prop. 4.1: |mean err_t - α| <= (max(α₁, 1 - α₁) + γ) / (γ T) over T steps,
    // here T windows each judged whole, err_t a window's miss share (equal windows: their mean is the
    // miss rate over outcomes).
    const bound = (Math.max(alpha, 1 - alpha) + gamma) / (gamma * steps);
    expect(Math.abs(missed / issued - alpha)).toBeLessThanOrEqual(bound);
  });

  it('steps α_t once per window by its miss share, so one window missed whole leaves the intervals finite', () => {
    const gamma = 0.02;
    const alpha = 0.1;
    const c = new ConformalIntervals({ alpha, gamma });
    const local = createRng(3);
    // The first window is issued with no residuals (basis 'none'): it fills them and does not step α_t.
    c.observeWindow(Array.from({ length: 200 }, () => ({ prediction: 0, actual: local.normal() })));
    expect(c.currentAlpha).toBe(alpha);
    c.observeWindow(Array.from({ length: 50 }, () => ({ prediction: 0, actual: 100 })));
    // One step of γ (α - 1), where a step per outcome moved it by 50 γ (α - 1) = -0.9, past 0.
    expect(c.currentAlpha).toBeCloseTo(alpha + gamma * (alpha - 1), 15);
    expect(Number.isFinite(c.interval(0).halfWidth)).toBe(true);
  });

  it('round-trips through JSON with identical intervals', () => {
    const c = new ConformalIntervals({ alpha: 0.2 });
    for (let i = 0; i < 300; i++) c.observe(0, rng.normal(), i % 3 === 0 ? 'x' : 'y');
    const copy = ConformalIntervals.fromState(JSON.parse(JSON.stringify(c.toState())));
    expect(copy.interval(0.3, 'x')).toEqual(c.interval(0.3, 'x'));
    expect(copy.currentAlpha).toBe(c.currentAlpha);
  });
});
