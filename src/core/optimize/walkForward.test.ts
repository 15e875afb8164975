import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  etDateKey,
  etDays,
  etMidnight,
  etMinuteOfDay,
  HOUR_MS,
  sessionsBetween,
} from '../data/calendar.ts';
import {
  parameterStability,
  runWalkForward,
  stitchEquity,
  walkForwardWindows,
  type EquitySegment,
} from './walkForward.ts';
import { parseSpace } from './space.ts';

/** Daily bars over `days` days from 2020-01-01. */
function dailyTimes(days: number): Float64Array {
  const t0 = Date.UTC(2020, 0, 1);
  return Float64Array.from({ length: days }, (_, i) => t0 + i * DAY_MS);
}

describe('walkForwardWindows', () => {
  it('rolls train 365 / test 30 / step 7 days by default, stitching without overlap', () => {
    const t = dailyTimes(365 + 60);
    const windows = walkForwardWindows(t);
    expect(windows[0]!.train).toMatchObject({ start: 0, end: 365 });
    expect(windows[0]!.test).toMatchObject({ start: 365, end: 395 });
    expect(windows[1]!.train).toMatchObject({ start: 7, end: 372 });
    // Test windows overlap; the stitched ranges tile the out-of-sample period exactly once.
    expect(windows[0]!.stitch).toMatchObject({ start: 365, end: 372 });
    const stitched = windows.flatMap((w) =>
      Array.from({ length: w.stitch.end - w.stitch.start }, (_, i) => w.stitch.start + i),
    );
    expect(stitched).toEqual(Array.from({ length: 60 }, (_, i) => 365 + i));
    expect(windows).toHaveLength(9);
    expect(windows.at(-1)!.test.end).toBe(425);
  });

  it('anchors every train window at the first bar, and counts bars when asked', () => {
    const anchored = walkForwardWindows(dailyTimes(500), {
      mode: 'anchored',
      train: 300,
      test: 50,
      step: 50,
    });
    expect(anchored.map((w) => [w.train.start, w.train.end, w.test.end])).toEqual([
      [0, 300, 350],
      [0, 350, 400],
      [0, 400, 450],
      [0, 450, 500],
    ]);
    const bars = walkForwardWindows(dailyTimes(100), { unit: 'bars', train: 40, test: 20, step: 20 });
    expect(bars.map((w) => [w.train.start, w.train.end, w.test.start, w.test.end])).toEqual([
      [0, 40, 40, 60],
      [20, 60, 60, 80],
      [40, 80, 80, 100],
    ]);
  });

  it('folds a last test window shorter than half a test into the one before, or drops it past a gap', () => {
    // ORCL's day bars ended a scorecard on a test window of 2 bars, scored as a window of its own.
    const range = (w: { train: { start: number; end: number }; test: { start: number; end: number } }) => [
      w.train.start,
      w.train.end,
      w.test.start,
      w.test.end,
    ];
    const folded = walkForwardWindows(dailyTimes(102), { unit: 'bars', train: 40, test: 20, step: 20 });
    expect(folded.map(range)).toEqual([
      [0, 40, 40, 60],
      [20, 60, 60, 80],
      [40, 80, 80, 102],
    ]);
    expect(folded.at(-1)!.stitch).toMatchObject({ start: 80, end: 102 });
    // Half a test or more stands as a window of its own.
    const kept = walkForwardWindows(dailyTimes(110), { unit: 'bars', train: 40, test: 20, step: 20 });
    expect(kept.map(range).at(-1)).toEqual([60, 100, 100, 110]);
    // A step longer than the test leaves bars between the tests: the short last one is dropped.
    const gapped = walkForwardWindows(dailyTimes(133), { unit: 'bars', train: 40, test: 20, step: 30 });
    expect(gapped.map(range)).toEqual([
      [0, 40, 40, 60],
      [30, 70, 70, 90],
      [60, 100, 100, 120],
    ]);
    // In days, as the market counts them: 3 days left of a 30-day test join the window before.
    const days = walkForwardWindows(dailyTimes(365 + 63), { train: 365, test: 30, step: 30 });
    expect(days.map((w) => [w.test.start, w.test.end])).toEqual([
      [365, 395],
      [395, 428],
    ]);
  });

  it('says why no window fits', () => {
    expect(() => walkForwardWindows(dailyTimes(100))).toThrow(
      /data \(99\.0 days\) is too short for one window of train 365 \+ test 30 days: give a shorter train or test window, or more data/,
    );
    expect(() => walkForwardWindows(dailyTimes(100), { step: 0 })).toThrow(/step must be a positive number/);
    expect(() => walkForwardWindows(dailyTimes(100), { train: 10.5, test: 5 })).toThrow(
      /train in days must be an integer \(got 10\.5\)/,
    );
  });

  it("cuts intraday bars where the exchange's day begins, also after a clock change", () => {
    // Hourly bars 09:30-15:30 New York over the sessions around the 2024-03-10 switch to summer time.
    const t = Float64Array.from(
      sessionsBetween(Date.UTC(2024, 1, 1), Date.UTC(2024, 3, 30)).flatMap((s) =>
        Array.from({ length: Math.ceil((s.close - s.open) / HOUR_MS) }, (_, i) => s.open + i * HOUR_MS),
      ),
    );
    const windows = walkForwardWindows(t, { train: 14, test: 7, step: 7 });
    expect(windows.length).toBeGreaterThan(6);
    for (const w of windows) {
      for (const range of [w.train, w.test]) {
        // Each window opens on a session's first bar, 09:30 New York, and its times are its bars'.
        expect(etMinuteOfDay(t[range.start]!)).toBe(9 * 60 + 30);
        expect(range.startTime).toBe(t[range.start]);
      }
      expect(w.train.end).toBe(w.test.start);
      // The test window holds the sessions of 7 calendar days from its first one, every bar of them.
      const first = etDays(t[w.test.start]!);
      expect(etDays(t[w.test.end - 1]!)).toBeLessThan(first + 7);
      if (w.test.end < t.length) expect(etDays(t[w.test.end]!)).toBeGreaterThanOrEqual(first + 7);
    }
    // Test windows start 14 days after the first bar's 2024-02-01, then every 7 days: 2024-03-14 is the
    // first after the switch.
    const starts = windows.map((w) => etDateKey(w.test.startTime));
    expect(starts.slice(0, 6)).toEqual([20240215, 20240222, 20240229, 20240307, 20240314, 20240321]);
  });

  it('cuts day bars stamped at midnight New York on their dates across a clock change', () => {
    const t = Float64Array.from(
      sessionsBetween(Date.UTC(2024, 0, 1), Date.UTC(2024, 11, 31)).map((s) => etMidnight(s.dateKey)),
    );
    const [first] = walkForwardWindows(t, { train: 100, test: 30, step: 30 });
    // 100 days after 2024-01-02 is 2024-04-11 (summer time): its bar opens the test window.
    expect(etDateKey(t[first!.test.start]!)).toBe(20240411);
    expect(etDateKey(t[first!.test.end]!)).toBe(20240513);
  });
});

describe('stitchEquity', () => {
  it('chains returns across segments', () => {
    const a: EquitySegment = { t: Float64Array.from([0, 1, 2]), equity: Float64Array.from([100, 110, 121]) };
    const b: EquitySegment = { t: Float64Array.from([3, 4, 5]), equity: Float64Array.from([50, 25, 50]) };
    const s = stitchEquity([
      { segment: a, from: 0, to: 3 },
      { segment: b, from: 3, to: 5 },
    ]);
    expect([...s.t]).toEqual([0, 1, 2, 3, 4]);
    expect([...s.equity]).toEqual([100, 110, 121, 121, 60.5]);
  });

  it('adds only the new bars of an overlapping segment, with the return into its first new bar', () => {
    const a: EquitySegment = { t: Float64Array.from([0, 1, 2]), equity: Float64Array.from([100, 110, 121]) };
    const b: EquitySegment = {
      t: Float64Array.from([1, 2, 3, 4]),
      equity: Float64Array.from([10, 20, 30, 15]),
    };
    const s = stitchEquity([
      { segment: a, from: 0, to: 3 },
      { segment: b, from: 1, to: 5 },
    ]);
    expect([...s.t]).toEqual([0, 1, 2, 3, 4]);
    expect([...s.equity]).toEqual([100, 110, 121, 181.5, 90.75]);
  });
});

describe('runWalkForward', () => {
  it('optimises each train window, tests the winner, and reports the path, efficiency and stability', async () => {
    const t = dailyTimes(200);
    // A market whose best "period" parameter drifts slowly; the strategy earns 0.1%/day in-sample and
    // half that out of sample, so the efficiency is about 0.5.
    const space = parseSpace(['period=5:50:5']);
    const result = await runWalkForward(
      t,
      {
        optimize: async (train) => ({ params: { period: 5 * (1 + Math.floor(train.start / 40)) } }),
        evaluate: async (range, _params, window) => {
          const daily = range.start === window.train.start ? 0.001 : 0.0005;
          const n = range.end - range.start;
          return {
            t: t.slice(range.start, range.end),
            equity: Float64Array.from({ length: n }, (_, i) => 1000 * (1 + daily) ** i),
          };
        },
      },
      { train: 100, test: 20, step: 20, space },
    );
    expect(result.windows).toHaveLength(5);
    expect(result.parameterPath.map((p) => p.params['period'])).toEqual([5, 5, 10, 10, 15]);
    expect(result.stitched.t.length).toBe(100);
    expect(result.outOfSample['totalReturn']).toBeCloseTo(1.0005 ** 95 - 1, 10);
    // In sample: the overlapping train ranges tile bars 0-179 once, every bar earning 0.1 %.
    const inSample = result.stitchedInSample;
    expect([...inSample.t]).toEqual([...t.slice(0, 180)]);
    expect(inSample.equity[179]! / inSample.equity[0]!).toBeCloseTo(1.001 ** 179, 10);
    expect(result.efficiency).toBeGreaterThan(0.4);
    expect(result.efficiency).toBeLessThan(0.6);
    const [stability] = result.stability;
    expect(stability).toMatchObject({ name: 'period', kind: 'numeric', mean: 9, changes: 2 });
    if (stability!.kind === 'numeric') expect(stability!.normalizedStd).toBeCloseTo(Math.sqrt(14) / 45, 12);
  });

  it('averages each in-sample figure over the windows that have it', async () => {
    // Window 0's winner never trades in sample: a flat curve has no Sharpe (NaN), which made the whole
    // in-sample mean NaN and the Walk-forward view show "—".
    const t = dailyTimes(160);
    const result = await runWalkForward(
      t,
      {
        optimize: async () => ({ params: {} }),
        evaluate: async (range, _params, window) => {
          const flat = window.index === 0 && range.start === window.train.start;
          const n = range.end - range.start;
          return {
            t: t.slice(range.start, range.end),
            equity: Float64Array.from(
              { length: n },
              (_, i) => 1000 * (1 + (flat ? 0 : 0.001 * (1 + (i % 3)))) ** i,
            ),
          };
        },
      },
      { unit: 'bars', train: 60, test: 30, step: 30 },
    );
    expect(Number.isNaN(result.windows[0]!.inSample['sharpeRatio'])).toBe(true);
    const sharpes = result.windows.slice(1).map((w) => w.inSample['sharpeRatio']!);
    expect(result.inSampleMean['sharpeRatio']).toBeCloseTo(
      sharpes.reduce((a, b) => a + b) / sharpes.length,
      12,
    );
    const returns = result.windows.map((w) => w.inSample['totalReturn']!);
    expect(result.inSampleMean['totalReturn']).toBeCloseTo(
      returns.reduce((a, b) => a + b) / returns.length,
      12,
    );
  });

  it('scores each train window only up to its purge gap, leaving test windows where they were', async () => {
    // Planted: prices fall 1 % a bar except in the last 5 bars before each test window, where they jump
    // 20 %. A train score that reaches those bars picks 'long'; purged of them it picks 'short'.
    const t = dailyTimes(120);
    const close = new Float64Array(120);
    close[0] = 100;
    for (let i = 1; i < 120; i++) close[i] = close[i - 1]! * (i % 40 >= 35 ? 1.2 : 0.99);
    const run = (purge: number) =>
      runWalkForward(
        t,
        {
          optimize: async (train) => ({
            params: { side: close[train.end - 1]! > close[train.start]! ? 'long' : 'short' },
          }),
          evaluate: async (range) => ({
            t: t.slice(range.start, range.end),
            equity: close.slice(range.start, range.end),
          }),
        },
        { unit: 'bars', train: 40, test: 40, step: 40, purge },
      );
    const plain = await run(0);
    const purged = await run(5);
    expect(plain.windows.map((w) => [w.window.train.end, w.params['side']])).toEqual([
      [40, 'long'],
      [80, 'long'],
    ]);
    expect(purged.windows.map((w) => [w.window.train.start, w.window.train.end, w.params['side']])).toEqual([
      [0, 35, 'short'],
      [40, 75, 'short'],
    ]);
    expect(purged.windows.map((w) => [w.window.test.start, w.window.test.end])).toEqual(
      plain.windows.map((w) => [w.window.test.start, w.window.test.end]),
    );
    expect(purged.windows[0]!.window.train.endTime).toBe(t[35]);
  });

  it('takes a purge in days from the train window, and refuses one that leaves nothing to train on', () => {
    const [first] = walkForwardWindows(dailyTimes(200), { train: 100, test: 30, step: 30, purge: 10 });
    expect(first!.train).toMatchObject({ start: 0, end: 90 });
    expect(first!.test).toMatchObject({ start: 100, end: 130 });
    expect(() => walkForwardWindows(dailyTimes(200), { unit: 'bars', train: 10, test: 5, purge: 9 })).toThrow(
      'walk-forward: a purge of 9 bars leaves 1 bars',
    );
    expect(() => walkForwardWindows(dailyTimes(200), { purge: 1.5 })).toThrow('whole number');
  });

  it('summarises categorical parameters by their most common value', () => {
    expect(parameterStability([{ k: 'a' }, { k: 'b' }, { k: 'a' }])).toEqual([
      { name: 'k', kind: 'categorical', mode: 'a', modeShare: 2 / 3, changes: 2 },
    ]);
  });
});
