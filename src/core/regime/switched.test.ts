import { describe, expect, it } from 'vitest';
import { prepareDataset, runBacktest } from '../engine/backtest.ts';
import { randomWalkBars } from '../engine/random-walk.ts';
import { STRATEGIES } from '../strategy/registry.ts';
import { NO_LABEL } from './labels.ts';
import { regimeSchedule, regimeSwitchChanges, runRegimeSwitched } from './switched.ts';

const _ = NO_LABEL;
const smaCross = STRATEGIES['sma-cross'];
const global = { fast: 10, slow: 30 };
const calm = { fast: 4, slow: 12 };
const wild = { fast: 20, slow: 60 };

describe('regime schedule', () => {
  it('a label known at bar i - 1 is in force from bar i, and warm-up bars have none', () => {
    const labels = Int8Array.from([_, _, 0, 0, 2, 2, 1, 1, 1]);
    expect(Array.from(regimeSchedule(labels, 1))).toEqual([_, _, _, 0, 0, 2, 2, 1, 1]);
  });

  it('holds a regime at least minDwell bars before switching', () => {
    const labels = Int8Array.from([0, 2, 0, 2, 2, 2, 1, 0, 0, 0]);
    // 0 is in force from bar 1; the 2 and 0 seen at bars 2 and 3 come before it has been held 3 bars; the
    // 2 seen at bar 4 switches; the 1 seen at bar 7 switches after 3 bars of 2; the 0s then wait again.
    expect(Array.from(regimeSchedule(labels, 3))).toEqual([_, 0, 0, 0, 2, 2, 2, 1, 1, 1]);
    expect(() => regimeSchedule(labels, 0)).toThrow(/minDwell must be an integer >= 1, got 0/);
  });
});

describe('regime-switched strategy', () => {
  const bars = randomWalkBars(3000, 5, { volatility: 0.01 });
  const n = bars.t.length;
  const alternating = (spell: number): Int8Array => {
    const labels = new Int8Array(n);
    for (let i = 0; i < n; i++) labels[i] = Math.floor(i / spell) % 2 === 0 ? 0 : 2;
    return regimeSchedule(labels, 1);
  };

  it('changes parameters only at the bars where the regime in force changes, to that regime set or the global one', () => {
    const schedule = Int8Array.from([_, _, 0, 0, 1, 1, 2, _]);
    expect(regimeSwitchChanges(schedule, [calm, null, wild], global)).toEqual([
      { fromBar: 2, params: calm },
      { fromBar: 4, params: global },
      { fromBar: 6, params: wild },
      { fromBar: 7, params: global },
    ]);
    expect(() => regimeSwitchChanges(schedule, [calm, wild], global)).toThrow(/expected 3 .* got 2/);
  });

  it('with every regime falling back it is the global set; held in one regime it is that regime set', () => {
    const schedule = alternating(400);
    const fallback = runRegimeSwitched(prepareDataset(bars), smaCross, [null, null, null], global, schedule);
    expect(Array.from(fallback.equity)).toEqual(Array.from(runBacktest(bars, smaCross, global).equity));
    const onlyCalm = regimeSchedule(new Int8Array(n), 1);
    const held = runRegimeSwitched(prepareDataset(bars), smaCross, [calm, null, wild], global, onlyCalm);
    expect(Array.from(held.equity)).toEqual(Array.from(runBacktest(bars, smaCross, calm).equity));
  });

  it('switches sets: after each switch its entries follow the new regime set, before it the run is unchanged', () => {
    const schedule = alternating(500);
    const sets = [calm, null, wild] as const;
    const switched = runRegimeSwitched(prepareDataset(bars), smaCross, sets, global, schedule);
    const calmRun = runBacktest(bars, smaCross, calm);
    expect(switched.trades.count).toBeGreaterThan(0);
    // Up to the first switch to `wild` (bar 501) it is the calm run, bar for bar.
    expect(Array.from(switched.equity.subarray(0, 501))).toEqual(Array.from(calmRun.equity.subarray(0, 501)));
    expect(Array.from(switched.equity.subarray(501))).not.toEqual(Array.from(calmRun.equity.subarray(501)));
  });

  it('is point in time: labels from bar m on change nothing before bar m + 1', () => {
    const labels = new Int8Array(n);
    for (let i = 0; i < n; i++) labels[i] = Math.floor(i / 300) % 3;
    const changed = labels.slice();
    const m = 1700;
    for (let i = m; i < n; i++) changed[i] = (changed[i]! + 1) % 3;
    const sets = [calm, global, wild] as const;
    const a = runRegimeSwitched(prepareDataset(bars), smaCross, sets, global, regimeSchedule(labels, 1));
    const b = runRegimeSwitched(prepareDataset(bars), smaCross, sets, global, regimeSchedule(changed, 1));
    expect(Array.from(b.equity.subarray(0, m + 1))).toEqual(Array.from(a.equity.subarray(0, m + 1)));
    expect(Array.from(b.equity)).not.toEqual(Array.from(a.equity));
  });

  it('names a schedule of the wrong length', () => {
    expect(() =>
      runRegimeSwitched(prepareDataset(bars), smaCross, [null, null, null], global, new Int8Array(10)),
    ).toThrow(/schedule has 10 bars but the data has 3000/);
  });
});
