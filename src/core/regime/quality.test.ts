import { describe, expect, it } from 'vitest';
import { syntheticMarket, syntheticSeries } from '../../../test/support/regimeData.ts';
import { resampleBars } from '../data/resample.ts';
import { HmmDetector } from './hmm.ts';
import { createDetector, DETECTOR_NAMES } from './index.ts';
import { JumpDetector } from './jump.ts';
import { allocateRegimeOutput } from './labels.ts';
import {
  countSwitches,
  medianDetectionDelay,
  plantedMarketAccuracy,
  plantedVolatilitySeries,
  smoothedTurbulence,
  smootherLabels,
  volatilityBalancedAccuracy,
} from './quality.ts';
import type { RegimeDetector } from './detector.ts';

/** Day bars; a fit window of 2,000 bars (ten planted spells) refitted yearly; two volatility states. */
const windows = { history: 2000, short: 5 };
const series = plantedVolatilitySeries(12_000, 1);

function volatilityLabels(detector: RegimeDetector): Int8Array {
  const out = allocateRegimeOutput(detector.inputs, series.bars.t.length);
  detector.label(series.bars, out);
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

  it('jump model at its default penalty: fewer switches than the unpenalised HMM filter at no longer a median detection delay', () => {
    const hmm = new HmmDetector({
      timeframe: '1d',
      windows,
      refitDays: 365,
      states: { volatility: 2 },
      persistence: { hysteresis: 0, minDwell: 1 },
    });
    const jump = new JumpDetector({ timeframe: '1d', windows, refitDays: 365, states: { volatility: 2 } });
    const from = Math.max(hmm.warmup, jump.warmup);
    const hmmLabels = volatilityLabels(hmm);
    const jumpLabels = volatilityLabels(jump);
    const switches = [countSwitches(hmmLabels, from), countSwitches(jumpLabels, from)];
    const delays = [
      medianDetectionDelay(hmmLabels, series.states, from),
      medianDetectionDelay(jumpLabels, series.states, from),
    ];
    console.log(
      `switches HMM ${switches[0]} vs jump ${switches[1]} (planted ${countSwitches(series.states, from)}); median delay ${delays[0]} vs ${delays[1]}`,
    );
    expect(switches[1]).toBeLessThan(switches[0]!);
    expect(delays[1]).toBeLessThanOrEqual(delays[0]!);
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
