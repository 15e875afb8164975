import { describe, expect, it } from 'vitest';
import type { RegimeDetector } from '../regime/detector.ts';
import { NO_LABEL, Level, Trend } from '../regime/labels.ts';
import { RegimeUpdatePolicy, type UpdateTrigger } from './regimeUpdates.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A detector whose trend label at each bar is scripted (volatility always normal). */
function scripted(
  trend: readonly number[],
  volatility: (bar: number) => number = () => Level.Normal,
): RegimeDetector {
  return {
    name: 'rules',
    warmup: 0,
    inputs: { trend: [], volatility: [], volume: [] },
    label: () => undefined,
    stream: () => {
      let bar = 0;
      return {
        update: (_t, _o, _h, _l, _c, _v, out, index) => {
          const code = trend[bar]!;
          out.trend.label[index] = code;
          out.volatility.label[index] = code === NO_LABEL ? NO_LABEL : volatility(bar);
          bar++;
        },
      };
    },
  };
}

/** Hourly bars through the policy; `change` says whether a check made a change (then the dwell starts). */
function run(
  policy: RegimeUpdatePolicy,
  bars: number,
  change: (trigger: UpdateTrigger) => boolean = () => false,
): UpdateTrigger[] {
  const triggers: UpdateTrigger[] = [];
  for (let i = 0; i < bars; i++) {
    const t = i * HOUR;
    const trigger = policy.onBar({ t, o: 1, h: 1, l: 1, c: 1, v: 1 });
    if (trigger === null) continue;
    triggers.push(trigger);
    if (change(trigger)) policy.changed(t);
  }
  return triggers;
}

describe('regime-driven update checks', () => {
  it('watching one axis, a change of the other alone calls for no check', () => {
    const trend = [...Array<number>(10).fill(Trend.Bull), ...Array<number>(10).fill(Trend.Bear)];
    const flipping = (bar: number) => (bar % 4 < 2 ? Level.Normal : Level.High);
    const watch = (axis: 'trend' | 'volatility' | 'both') =>
      run(new RegimeUpdatePolicy(scripted(trend, flipping), { minDwellMs: 0, axis }), trend.length).map(
        (t) => t.at / HOUR,
      );
    expect(watch('trend')).toEqual([0, 10]);
    expect(watch('volatility')).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(watch('both')).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  });

  it('checks on the first bar of each new regime and once a day between, never in the warm-up', () => {
    const trend = [
      ...Array<number>(5).fill(NO_LABEL),
      ...Array<number>(10).fill(Trend.Bull),
      ...Array<number>(40).fill(Trend.Bear),
    ];
    const triggers = run(new RegimeUpdatePolicy(scripted(trend), { minDwellMs: 0 }), trend.length);
    expect(triggers).toEqual([
      { kind: 'regime-change', at: 5 * HOUR, from: null, regime: 'bull/normal' },
      { kind: 'regime-change', at: 15 * HOUR, from: 'bull/normal', regime: 'bear/normal' },
      { kind: 'daily', at: 39 * HOUR, regime: 'bear/normal' },
    ]);
  });

  it('a regime flapping every bar makes one change per dwell, then the regime now is checked at once', () => {
    const trend = Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? Trend.Bull : Trend.Bear));
    const policy = new RegimeUpdatePolicy(scripted(trend), { minDwellMs: 12 * HOUR });
    const triggers = run(policy, trend.length, () => true);
    expect(triggers.map((t) => [t.at / HOUR, t.regime])).toEqual([
      [0, 'bull/normal'],
      // Bar 12 is bull again, the regime the last check was in: no check until bar 13 (bear).
      [13, 'bear/normal'],
      [26, 'bull/normal'],
    ]);
    // Without the dwell every flip is a check, and each could be a change.
    const undamped = run(
      new RegimeUpdatePolicy(scripted(trend), { minDwellMs: 0 }),
      trend.length,
      () => true,
    );
    expect(undamped).toHaveLength(30);
  });

  it('checks that changed nothing start no dwell', () => {
    const trend = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? Trend.Bull : Trend.Sideways));
    const triggers = run(new RegimeUpdatePolicy(scripted(trend), { minDwellMs: DAY }), trend.length);
    expect(triggers).toHaveLength(10);
  });

  it('refuses a negative dwell or a non-positive check interval', () => {
    expect(() => new RegimeUpdatePolicy(scripted([]), { minDwellMs: -1 })).toThrow(/minDwellMs must be >= 0/);
    expect(() => new RegimeUpdatePolicy(scripted([]), { minDwellMs: 0, checkEveryMs: 0 })).toThrow(
      /checkEveryMs must be > 0/,
    );
  });
});
