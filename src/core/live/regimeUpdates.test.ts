import { describe, expect, it } from 'vitest';
import type { RegimeDetector } from '../regime/detector.ts';
import { NO_LABEL, Level, Trend } from '../regime/labels.ts';
import { minuteOfTimeOfDay, RegimeUpdatePolicy, type UpdateTrigger } from './regimeUpdates.ts';

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

/**
 * Hourly bars from `start` through the policy; `change` says whether a check made a change (then the
 * dwell starts).
 */
function run(
  policy: RegimeUpdatePolicy,
  bars: number,
  change: (trigger: UpdateTrigger) => boolean = () => false,
  start = 0,
): UpdateTrigger[] {
  const triggers: UpdateTrigger[] = [];
  for (let i = 0; i < bars; i++) {
    const t = start + i * HOUR;
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

  it('checks on the first bar of each new regime, never in the warm-up', () => {
    const trend = [
      ...Array<number>(5).fill(NO_LABEL),
      ...Array<number>(10).fill(Trend.Bull),
      ...Array<number>(20).fill(Trend.Bear),
    ];
    // From Saturday 2026-07-04 00:00 UTC: no trading day in these 35 hours, so no daily check.
    const start = Date.UTC(2026, 6, 4);
    const triggers = run(
      new RegimeUpdatePolicy(scripted(trend), { minDwellMs: 0 }),
      trend.length,
      undefined,
      start,
    );
    expect(triggers).toEqual([
      { kind: 'regime-change', at: start + 5 * HOUR, from: null, regime: 'bull/normal' },
      { kind: 'regime-change', at: start + 15 * HOUR, from: 'bull/normal', regime: 'bear/normal' },
    ]);
  });

  it('checks daily at 09:00 New York on trading days only, across a weekend and a holiday', () => {
    // Hourly bars, one regime, from Wednesday 2026-07-01 00:00 UTC to Wednesday 07-08: Friday 07-03 is
    // the exchange's Independence Day holiday (the 4th is a Saturday), then a weekend.
    const hours = 7 * 24;
    const start = Date.UTC(2026, 6, 1);
    const triggers = run(
      new RegimeUpdatePolicy(scripted(Array<number>(hours).fill(Trend.Bull)), { minDwellMs: 0 }),
      hours,
      undefined,
      start,
    );
    const newYork = (t: number) =>
      new Date(t).toLocaleString('sv-SE', { timeZone: 'America/New_York' }).slice(0, 16);
    expect(triggers.map((t) => `${t.kind} ${newYork(t.at)}`)).toEqual([
      'regime-change 2026-06-30 20:00',
      'daily 2026-07-01 09:00',
      'daily 2026-07-02 09:00',
      'daily 2026-07-06 09:00',
      'daily 2026-07-07 09:00',
    ]);
  });

  it('checks at another time and zone, every day when asked, and passes a day inside a dwell', () => {
    const hours = 4 * 24;
    // Saturday 2026-07-04 00:00 UTC, London on summer time (UTC+1): 08:00 there is 07:00 UTC.
    const start = Date.UTC(2026, 6, 4);
    const london = { atMinute: 8 * 60, timeZone: 'Europe/London', tradingDaysOnly: false };
    const everyDay = run(
      new RegimeUpdatePolicy(scripted(Array<number>(hours).fill(Trend.Bull)), {
        minDwellMs: 0,
        daily: london,
      }),
      hours,
      undefined,
      start,
    );
    expect(everyDay.filter((t) => t.kind === 'daily').map((t) => new Date(t.at).toISOString())).toEqual([
      '2026-07-04T07:00:00.000Z',
      '2026-07-05T07:00:00.000Z',
      '2026-07-06T07:00:00.000Z',
      '2026-07-07T07:00:00.000Z',
    ]);
    // A change at the first bar starts a 36 h dwell: Saturday's and Sunday's checks fall inside it and
    // are passed, not made at noon on Sunday when it ends; Monday's is at 08:00.
    const dwelling = run(
      new RegimeUpdatePolicy(scripted(Array<number>(hours).fill(Trend.Bull)), {
        minDwellMs: 36 * HOUR,
        daily: london,
      }),
      hours,
      (t) => t.kind === 'regime-change',
      start,
    );
    expect(dwelling.map((t) => `${t.kind} ${new Date(t.at).toISOString()}`)).toEqual([
      'regime-change 2026-07-04T00:00:00.000Z',
      'daily 2026-07-06T07:00:00.000Z',
      'daily 2026-07-07T07:00:00.000Z',
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

  it('refuses a negative dwell, a time of day out of range and an unknown zone', () => {
    expect(() => new RegimeUpdatePolicy(scripted([]), { minDwellMs: -1 })).toThrow(/minDwellMs must be >= 0/);
    const daily = { atMinute: 24 * 60, timeZone: 'America/New_York', tradingDaysOnly: true };
    expect(() => new RegimeUpdatePolicy(scripted([]), { minDwellMs: 0, daily })).toThrow(
      "the daily check's minute must be in [0, 1440), got 1440",
    );
    expect(
      () =>
        new RegimeUpdatePolicy(scripted([]), {
          minDwellMs: 0,
          daily: { ...daily, atMinute: 0, timeZone: 'Mars/Olympus' },
        }),
    ).toThrow('"Mars/Olympus" is not a time zone');
    expect([minuteOfTimeOfDay('09:00'), minuteOfTimeOfDay('23:59'), minuteOfTimeOfDay('9:00')]).toEqual([
      540,
      1439,
      undefined,
    ]);
  });
});
