import { describe, expect, it } from 'vitest';
import { STRATEGIES } from '../strategy/registry.ts';
import { evaluateCandidates, sampleCandidates, selectRegimeSets } from './perRegime.ts';
import { HmmDetector } from './hmm.ts';
import { allocateRegimeOutput, NO_LABEL } from './labels.ts';
import { labelAccuracy } from './quality.ts';
import {
  PLANTED_GRID,
  PLANTED_REGIMES,
  detectorLabels,
  plantedDetector,
  plantedLabels,
  plantedPairMarket,
  plantedPairRecovery,
} from './plantedPairs.ts';

const smaCross = STRATEGIES['sma-cross'];
const candidates = sampleCandidates(PLANTED_GRID, { kind: 'grid' }, 1000, 1);

describe('planted market: each regime has its own best moving-average pair (issue 11 item 9)', () => {
  it.each([0, 1] as const)('regime %i alone: its planted pair is the best of the grid', (only) => {
    const { bars } = plantedPairMarket(20_000, 7, { only });
    const scores = evaluateCandidates(bars, smaCross, candidates, new Int8Array(bars.t.length), {
      periodsPerYear: 252,
    });
    const { fast, slow } = PLANTED_REGIMES[only];
    expect(selectRegimeSets(scores, { minTrades: 0 }).global.params).toEqual({ fast, slow });
  });

  it('with the planted states as labels, the per-regime study recovers both pairs within one grid step in >= 90 % of seeds', () => {
    expect(plantedPairRecovery(10, plantedLabels, smaCross).recovered).toBeGreaterThanOrEqual(9);
  });

  // The bench prints the 50-seed rate of every detector (`npm run bench -- regime`): with HMM labels 49 of
  // 50 on 12,000-bar markets (47 before its volatility states shared one mean; 45 on 8,000, where the
  // warm-up left the calm regime too few trades to judge: PLANTED_PAIR_BARS), all ten of these seeds among
  // them (9 of these 10 when its fit window of 800 bars could fall inside one regime; the test below holds
  // that fix).
  it.each([1011, 1018])(
    'seed %i: the HMM labels match the planted regimes on >= 95 % of bars (its fit window holds both)',
    (seed) => {
      const market = plantedPairMarket(8000, seed);
      const detector = plantedDetector();
      const accuracy = labelAccuracy(
        detectorLabels(market, detector),
        plantedLabels(market),
        detector.warmup,
      );
      // 0.76 and 0.83 when it fitted 800 bars every two years: one regime split in two until the next refit.
      expect(accuracy).toBeGreaterThanOrEqual(0.95);
    },
  );

  it('the HMM modelling the volatility axis alone labels it exactly as with all three axes', () => {
    const { bars } = plantedPairMarket(4000, 1011);
    const label = (detector: HmmDetector) => {
      const out = allocateRegimeOutput(detector.inputs, bars.t.length);
      detector.label(bars, out);
      return out;
    };
    const all = label(new HmmDetector({ timeframe: '1d', windows: { history: 1000 }, refitDays: 180 }));
    const one = label(
      new HmmDetector({ timeframe: '1d', windows: { history: 1000 }, refitDays: 180, axes: ['volatility'] }),
    );
    expect(all.volatility.label.some((l) => l !== NO_LABEL)).toBe(true);
    expect(one.volatility).toEqual(all.volatility);
    expect(one.trend.label.every((l) => l === NO_LABEL)).toBe(true);
    expect(all.trend.label.some((l) => l !== NO_LABEL)).toBe(true);
  });

  it('with point-in-time HMM labels it recovers both pairs in >= 90 % of seeds', () => {
    expect(
      plantedPairRecovery(10, (market) => detectorLabels(market, plantedDetector()), smaCross).recovered,
    ).toBeGreaterThanOrEqual(9);
  });
});
