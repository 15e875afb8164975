import { expect, it } from 'vitest';
import { randomWalkBars } from '../../core/engine/random-walk.ts';
import { RegimeUpdatePolicy } from '../../core/live/regimeUpdates.ts';
import { marketRegime, regimeName } from '../../core/ml/learner/ledger.ts';
import { fastPeriodLearner } from '../../core/ml/learner/planted.test-util.ts';
import { parseSpace } from '../../core/optimize/space.ts';
import { RuleDetector } from '../../core/regime/rules.ts';
import type { LiveDesk } from './liveDesk.ts';
import { RegimeUpdater } from './regimeUpdater.ts';

const DAY = 86_400_000;

it('keeps a bounded window of live bars whose regime labels past the warm-up equal the unbounded history', () => {
  const bars = randomWalkBars(8_000, 3, { stepMs: DAY, volatility: 0.012 });
  const updater = new RegimeUpdater({
    // Warming never reaches the desk: only a check would.
    desk: {} as LiveDesk,
    bot: 'http://127.0.0.1:9',
    policy: new RegimeUpdatePolicy(new RuleDetector({ timeframe: '1d' }), { minDwellMs: 0 }),
    learner: () => ({ learner: fastPeriodLearner(), modelVersion: 'window test' }),
    recommend: {
      strategy: 'sma-cross',
      space: parseSpace(['fast=2:40', 'slow=10:120'], ['fast<slow']),
      timeframe: '1d',
      windowBars: 40,
      trials: 4,
      seed: 1,
      threshold: 0.2,
      // The ledger's learner the live updates use: its skill is not measured.
      skill: null,
    },
    limits: { maxPositionFraction: 1, maxDailyLoss: 0.5, maxOrdersPerDay: 100 },
  });
  const warmup = new RuleDetector({ timeframe: '1d' }).warmup;
  const keep = 4 * warmup + 4 * 40;
  let longest = 0;
  for (let i = 0; i < bars.t.length; i++) {
    updater.warm({
      t: bars.t[i]!,
      o: bars.o[i]!,
      h: bars.h[i]!,
      l: bars.l[i]!,
      c: bars.c[i]!,
      v: bars.v[i]!,
    });
    longest = Math.max(longest, updater.window().t.length);
  }
  expect(bars.t.length).toBeGreaterThan(4 * keep);
  expect(longest).toBeLessThan(2 * keep);
  const window = updater.window();
  expect(window.t.length).toBeGreaterThanOrEqual(keep);
  const offset = bars.t.length - window.t.length;
  expect(window.t[0]).toBe(bars.t[offset]);
  const full = marketRegime(bars, '1d').regime;
  const part = marketRegime(window, '1d').regime;
  const labels = (from: number, regime: typeof full, shift: number) =>
    Array.from({ length: window.t.length - from }, (_, k) => regimeName(regime, from + k + shift));
  expect(labels(2 * warmup, part, 0)).toEqual(labels(2 * warmup, full, offset));
});
