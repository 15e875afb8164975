import { describe, expect, it } from 'vitest';
import { syntheticSeries } from '../../../test/support/regimeData.ts';
import { resampleBars } from '../data/resample.ts';
import { allocateRegimeOutput, createDetector, DETECTOR_NAMES, NO_LABEL, REGIME_AXES } from './index.ts';
import { JumpDetector } from './jump.ts';
import type { RegimeDetector } from './detector.ts';

describe('createDetector for the axes a caller reads', () => {
  const days = resampleBars(syntheticSeries().bars, '1d');
  const label = (detector: RegimeDetector) => {
    const out = allocateRegimeOutput(detector.inputs, days.t.length);
    detector.label(days, out);
    return out;
  };

  // A per-regime study or a comparison switches on one axis: the model detectors fit that one alone.
  it.each(DETECTOR_NAMES)('%s: the axis asked for is labelled as with all three', (name) => {
    const all = label(createDetector(name, '1d'));
    for (const axis of ['volatility', 'trend'] as const) {
      const one = label(createDetector(name, '1d', {}, [axis]));
      expect(all[axis].label.some((l) => l !== NO_LABEL)).toBe(true);
      expect(one[axis]).toEqual(all[axis]);
      // The model detectors skip the other axes' fits (nothing labelled there); the others are cheap anyway.
      const skipped = name === 'hmm' || name === 'jump';
      for (const other of REGIME_AXES.filter((a) => a !== axis))
        expect(
          one[other].label.every((l) => l === NO_LABEL),
          `${name} ${other}`,
        ).toBe(skipped);
    }
  });
});

describe('the jump detector on an exponentially weighted volatility', () => {
  it('refuses a half-life that is not a positive number of bars, naming it', () => {
    for (const halflife of [0, -2, Number.NaN])
      expect(() => new JumpDetector({ timeframe: '1d', halflife })).toThrow(/jump: halflife must be/);
    expect(new JumpDetector({ timeframe: '1d', halflife: 2 }).inputs.volatility).toEqual([
      'ewmaLogVolatility',
    ]);
  });
});

describe('createDetector with a half-life', () => {
  const days = resampleBars(syntheticSeries().bars, '1d');
  const volatility = (detector: RegimeDetector) => {
    const out = allocateRegimeOutput(detector.inputs, days.t.length);
    detector.label(days, out);
    return Array.from(out.volatility.label);
  };

  it('passes it (and the hysteresis) to the jump detector, whose labels then differ from the default', () => {
    const settings = { halflife: 2, jumpPenalty: 5, hysteresis: 0.55 };
    const made = volatility(createDetector('jump', '1d', settings));
    const direct = new JumpDetector({ timeframe: '1d', ...settings, persistence: { hysteresis: 0.55 } });
    expect(made).toEqual(volatility(direct));
    expect(made).not.toEqual(volatility(createDetector('jump', '1d')));
  });

  it('refuses it on the other detectors, naming it', () => {
    for (const name of DETECTOR_NAMES.filter((n) => n !== 'jump'))
      expect(() => createDetector(name, '1d', { halflife: 2 })).toThrow(
        `halflife applies to the jump detector only, not ${name}`,
      );
  });
});
