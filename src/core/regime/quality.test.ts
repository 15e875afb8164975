import { describe, expect, it } from 'vitest';
import { syntheticMarket, syntheticSeries } from '../../../test/support/regimeData.ts';
import { resampleBars } from '../data/resample.ts';
import { HmmDetector } from './hmm.ts';
import { createDetector, DETECTOR_NAMES } from './index.ts';
import { JumpDetector } from './jump.ts';
import { allocateRegimeOutput } from './labels.ts';
import { skewnessAndKurtosis } from '../math/statistics.ts';
import {
  countSwitches,
  medianDetectionDelay,
  plantedMarketAccuracy,
  PLANTED_FIT,
  plantedVolatilitySeries,
  smoothedTurbulence,
  smootherLabels,
  volatilityBalancedAccuracy,
} from './quality.ts';
import type { RegimeDetector } from './detector.ts';

const windows = PLANTED_FIT.windows;
const series = plantedVolatilitySeries(12_000, 1);

function volatilityLabels(detector: RegimeDetector, planted = series): Int8Array {
  const out = allocateRegimeOutput(detector.inputs, planted.bars.t.length);
  detector.label(planted.bars, out);
  return out.volatility.label;
}

describe('quality on planted regimes (issue 11 item 4)', () => {
  it('HMM volatility labels: balanced accuracy >= 0.85 and within 5 points of the look-ahead smoother', () => {
    const reference = volatilityBalancedAccuracy(
      smootherLabels(smoothedTurbulence(series)),
      series.states,
      0,
    );
    const detector = new HmmDetector({ timeframe: '1d', windows, refitDays: 365, states: { volatility: 2 } });
    const accuracy = volatilityBalancedAccuracy(volatilityLabels(detector), series.states, detector.warmup);
    console.log(`planted volatility: HMM ${accuracy.toFixed(3)}, smoother ${reference.toFixed(3)}`);
    expect(accuracy).toBeGreaterThanOrEqual(0.85);
    expect(accuracy).toBeGreaterThanOrEqual(reference - 0.05);
  });

  // The issue asks for 50 % fewer switches than the unpenalised HMM filter at an equal median delay. The
  // bench (`npm run bench -- regime`) shows why no setting here gets there: even the jump recursion on the
  // true likelihoods (oracleJumpLabels, a perfect loss) makes only about a third fewer. What each setting
  // holds is its measured trade, on seeds 1-3 from the longest warm-up of the detectors compared.
  const model = PLANTED_FIT;
  const hmm = new HmmDetector({ ...model, persistence: { hysteresis: 0, minDwell: 1 } });
  const seeds = [1, 2, 3].map((seed) => plantedVolatilitySeries(12_000, seed));
  let hmmLabels: Int8Array[] | undefined;
  /** Switches summed, median delays and balanced accuracies averaged over the seeds, HMM's then the jump model's. */
  function againstHmm(jump: JumpDetector) {
    hmmLabels ??= seeds.map((planted) => volatilityLabels(hmm, planted));
    const jumpLabels = seeds.map((planted) => volatilityLabels(jump, planted));
    const from = Math.max(hmm.warmup, jump.warmup);
    const figures = (labels: Int8Array[]) => ({
      switches: labels.reduce((sum, l) => sum + countSwitches(l, from), 0),
      delay: labels.reduce((sum, l, k) => sum + medianDetectionDelay(l, seeds[k]!.states, from), 0) / 3,
      accuracy:
        labels.reduce((sum, l, k) => sum + volatilityBalancedAccuracy(l, seeds[k]!.states, from), 0) / 3,
    });
    const [h, j] = [figures(hmmLabels), figures(jumpLabels)];
    console.log(
      `switches HMM ${h.switches} vs jump ${j.switches} (${(100 * (1 - j.switches / h.switches)).toFixed(0)} % fewer); ` +
        `mean median delay ${h.delay.toFixed(2)} vs ${j.delay.toFixed(2)}; accuracy ${h.accuracy.toFixed(3)} vs ${j.accuracy.toFixed(3)}`,
    );
    return { hmm: h, jump: j };
  }

  // Penalty 8 (the default before 12) switches about as often as the HMM; 10 saves about a fifth.
  it('jump model at its default penalty: >= 30 % fewer switches than the unpenalised HMM filter for <= 2 bars more median delay (3 seeds)', () => {
    const { hmm: h, jump: j } = againstHmm(new JumpDetector(model));
    expect(j.switches).toBeLessThanOrEqual(0.7 * h.switches);
    expect(j.delay).toBeLessThanOrEqual(h.delay + 2);
  });

  // At an equal delay the window mean of the default feature saves nothing (bench, five seeds: penalty 8
  // makes 868 switches at 5.3 bars and 0.015 less accuracy, the HMM 892 at 5.4): it lags. An exponentially weighted mean with a
  // half-life of two bars, and a switch only past a lead of 0.55 in probability, saves a fifth (bench:
  // 695 at 5.2), with no longer a median delay and no lower accuracy (within 0.01).
  it('jump model on an exponentially weighted volatility (half-life 2, penalty 5, hysteresis 0.55): >= 15 % fewer switches than the unpenalised HMM filter at no longer a median delay (3 seeds)', () => {
    const { hmm: h, jump: j } = againstHmm(
      new JumpDetector({
        ...model,
        halflife: 2,
        jumpPenalty: 5,
        persistence: { hysteresis: 0.55 },
      }),
    );
    expect(j.switches).toBeLessThanOrEqual(0.85 * h.switches);
    expect(j.delay).toBeLessThanOrEqual(h.delay);
    expect(j.accuracy).toBeGreaterThanOrEqual(h.accuracy - 0.01);
  });

  // The fat-tailed variant (bench: `npm run bench -- regime`) needs its innovations to be what it says:
  // unit variance and a unit-variance t's excess kurtosis 6 / (df - 4), or the switch figures measured on
  // it would be about some other tail.
  it('fat-tailed planted series: returns over their state volatility have unit variance and the t kurtosis (df 8)', () => {
    const df = 8;
    const planted = plantedVolatilitySeries(200_000, 7, { df });
    const { c } = planted.bars;
    const z = Float64Array.from({ length: c.length - 1 }, (_, i) => {
      return Math.log(c[i + 1]! / c[i]!) / planted.sigmas[planted.states[i + 1]!];
    });
    const variance = z.reduce((sum, x) => sum + x * x, 0) / z.length;
    const excess = skewnessAndKurtosis(z).kurtosis - 3;
    expect(variance).toBeCloseTo(1, 1);
    expect(excess).toBeGreaterThan(0.75 * (6 / (df - 4)));
    expect(excess).toBeLessThan(1.25 * (6 / (df - 4)));
    expect(plantedVolatilitySeries(1000, 7, { df }).bars.c).toEqual(
      plantedVolatilitySeries(1000, 7, { df }).bars.c,
    );
    expect(() => plantedVolatilitySeries(10, 1, { df: 2 })).toThrow(/df must be > 2/);
  });

  it('every detector beats chance on the demo market generator planted trend and volatility (day bars)', () => {
    const market = syntheticMarket();
    const days = resampleBars(syntheticSeries().bars, '1d');
    for (const name of DETECTOR_NAMES) {
      const detector = createDetector(name, '1d');
      const out = allocateRegimeOutput(detector.inputs, days.t.length);
      detector.label(days, out);
      const { trend, volatility } = plantedMarketAccuracy(out, market.sessionRegimes, detector.warmup);
      console.log(
        `demo market, ${name}: trend accuracy ${trend.toFixed(3)}, volatility balanced accuracy ${volatility.toFixed(3)}`,
      );
      expect(trend, name).toBeGreaterThan(0.4);
      expect(volatility, name).toBeGreaterThan(0.55);
    }
  });
});
