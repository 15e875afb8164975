import { describe, expect, it } from 'vitest';
import { allocateBars, type Bars } from '../data/bars.ts';
import { MINUTE_MS, sessionsBetween } from '../data/calendar.ts';
import { createRng } from '../math/random.ts';
import { JumpDetector } from './jump.ts';
import { allocateRegimeOutput, Level, NO_LABEL, type RegimeOutput } from './labels.ts';
import { RuleDetector } from './rules.ts';
import type { RegimeDetector } from './detector.ts';

/**
 * One-minute bars whose only pattern is the intraday U-shape: volatility and volume heavy at the open and
 * the close, the same every day, with no regimes at all.
 */
function uShapedMinutes(sessions: number): Bars {
  const days = sessionsBetween(Date.UTC(2023, 0, 1), Date.UTC(2026, 0, 1))
    .filter((s) => s.close - s.open === 390 * MINUTE_MS)
    .slice(0, sessions);
  const bars = allocateBars(days.length * 390);
  const rng = createRng(3);
  let price = 100;
  let k = 0;
  for (const day of days) {
    for (let j = 0; j < 390; j++, k++) {
      const volatility = 1 + 1.5 * Math.exp(-j / 20) + 0.5 * Math.exp(-(389 - j) / 30);
      const volume = 1 + 3 * Math.exp(-j / 25) + 4 * Math.exp(-(389 - j) / 20);
      const open = price;
      price *= Math.exp(0.0004 * volatility * rng.normal());
      bars.t[k] = day.open + j * MINUTE_MS;
      bars.o[k] = open;
      bars.c[k] = price;
      bars.h[k] = Math.max(open, price);
      bars.l[k] = Math.min(open, price);
      bars.v[k] = Math.round(10_000 * volume * Math.exp(0.3 * rng.normal()));
    }
  }
  return bars;
}

/** Share of labelled bars called high: over the whole day and per half-hour of the session. */
function highShares(out: RegimeOutput, axis: 'volatility' | 'volume'): { day: number; halfHours: number[] } {
  const labels = out[axis].label;
  const high = new Float64Array(13);
  const count = new Float64Array(13);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === NO_LABEL) continue;
    const half = Math.floor((i % 390) / 30);
    count[half]++;
    if (labels[i] === Level.High) high[half]++;
  }
  const total = count.reduce((a, b) => a + b, 0);
  return {
    day: high.reduce((a, b) => a + b, 0) / total,
    halfHours: Array.from(high, (h, j) => h / count[j]),
  };
}

const bars = uShapedMinutes(250);

describe('intraday seasonality (issue 11 item 3)', () => {
  const cases: readonly [string, RegimeDetector][] = [
    ['rules', new RuleDetector({ timeframe: '1m' })],
    ['jump', new JumpDetector({ timeframe: '1m' })],
  ];
  for (const [name, detector] of cases) {
    it(`${name}: each half-hour is labelled high about as often as the whole day (within 5 points)`, () => {
      const out = allocateRegimeOutput(detector.inputs, bars.t.length);
      detector.label(bars, out);
      for (const axis of ['volatility', 'volume'] as const) {
        const { day, halfHours } = highShares(out, axis);
        expect(day).toBeGreaterThan(0.02);
        for (const share of halfHours)
          expect(Math.abs(share - day), `${axis}: ${halfHours.join(', ')} vs ${day}`).toBeLessThanOrEqual(
            0.05,
          );
      }
    });
  }

  it('without the time-of-day profile the open and the close would be called high (the test can fail)', () => {
    const detector = new RuleDetector({ timeframe: '1m', windows: { seasonalSessions: 0 } });
    const out = allocateRegimeOutput(detector.inputs, bars.t.length);
    detector.label(bars, out);
    const { day, halfHours } = highShares(out, 'volume');
    expect(halfHours[0]! - day).toBeGreaterThan(0.2);
  });
});
