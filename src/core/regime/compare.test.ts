import { describe, expect, it } from 'vitest';
import type { Bars } from '../data/bars.ts';
import { randomWalkBars } from '../engine/random-walk.ts';
import { createSpace, intParam } from '../optimize/space.ts';
import { STRATEGIES } from '../strategy/registry.ts';
import { runBacktest } from '../engine/backtest.ts';
import {
  compareRegimeAware,
  comparisonVerdict,
  studyByRegime,
  testOutcome,
  testWindowRun,
  type RegimeComparisonOptions,
} from './compare.ts';
import { createDetector } from './index.ts';
import { sampleCandidates } from './perRegime.ts';

const space = createSpace(
  [intParam('fast', 5, 15, { step: 5 }), intParam('slow', 20, 60, { step: 20 })],
  ['fast<slow'],
);
const candidates = sampleCandidates(space, { kind: 'grid' }, 100, 1);
const options: RegimeComparisonOptions = {
  definition: STRATEGIES['sma-cross'],
  candidates,
  createDetector: () => createDetector('rules', '1d'),
  axis: 'volatility',
  backtest: { commission: { kind: 'percent', rate: 0.001 } },
  train: 1200,
  test: 250,
  minTrades: 5,
};

function perturbFrom(bars: Bars, from: number): Bars {
  const scale = (column: Float64Array): Float64Array =>
    column.map((x, i) => (i < from ? x : x * (1 + 0.05 * Math.sin(i))));
  return { ...bars, o: scale(bars.o), h: scale(bars.h), l: scale(bars.l), c: scale(bars.c) };
}

describe('regime-aware against one global set, walk-forward (issue 11 item 9)', () => {
  const bars = randomWalkBars(2600, 3, { volatility: 0.012, stepMs: 86_400_000 });

  it('purges at least the longest lookback between train and test and counts every regime selection as trials', () => {
    const told: [done: number, total: number][] = [];
    const result = compareRegimeAware(bars, {
      ...options,
      onWindow: (done, total) => told.push([done, total]),
    });
    // Progress per window: the count once laid out, then each window as it is tested.
    expect(told).toEqual(Array.from({ length: 7 }, (_, k) => [k, 6]));
    const detectorWarmup = createDetector('rules', '1d').warmup;
    expect(result.lookback).toEqual({ strategy: 60, detector: detectorWarmup });
    expect(result.purge).toBe(Math.max(60, detectorWarmup));
    expect(result.windows.length).toBe(6);
    const index = (time: number): number => bars.t.indexOf(time);
    for (const w of result.windows) expect(index(w.testStartTime) - index(w.trainEndTime)).toBe(result.purge);
    expect(result.trialsPerStudy).toBe(candidates.length);
    expect(result.regimeAware.trialCount).toBe(candidates.length * 4);
    expect(result.global.trialCount).toBe(candidates.length);
    for (const report of [result.global, result.regimeAware]) {
      expect(report.trades).toBeGreaterThan(0);
      expect(report.turnover).toBeGreaterThan(0);
      expect(report.maxDrawdown).toBeLessThan(0);
      expect(report.pbo).toBeGreaterThanOrEqual(0);
    }
    // A random walk has nothing to find: no policy clears the bar.
    expect(result.better).toBe(false);
    expect(result.verdict).toMatch(/^Regime-awareness is not shown to be better here: out-of-sample Sharpe/);
  });

  it('labels and selects inside each train window from its own bars: later bars change nothing there', () => {
    const first = compareRegimeAware(bars, options);
    const w0 = first.windows[0]!;
    const changed = compareRegimeAware(perturbFrom(bars, bars.t.indexOf(w0.trainEndTime)), options);
    expect(changed.windows[0]!.global).toEqual(w0.global);
    expect(changed.windows[0]!.regimes).toEqual(w0.regimes);
    expect(changed.windows[0]!.globalSharpe).not.toBe(w0.globalSharpe);
  });

  it("studies per regime on all bars as the comparison's full-sample study does", () => {
    const study = studyByRegime(bars, options);
    const { fullSample } = compareRegimeAware(bars, options);
    expect(study.global.params).toEqual(fullSample.global.params);
    expect(study.regimes).toEqual(fullSample.regimes);
    expect(study.trialCount).toBe(candidates.length * 4);
    expect(study.regimes.some((r) => !r.fellBack)).toBe(true);
  });

  it('says where the default train window comes from when the bars cannot hold it', () => {
    const defaults = { ...options, train: undefined, test: undefined };
    const short = randomWalkBars(1000, 3, { volatility: 0.012, stepMs: 86_400_000 });
    const warmup = createDetector('rules', '1d').warmup;
    expect(() => compareRegimeAware(short, defaults)).toThrow(
      `regime comparison: 1000 bars are too few for a train and a test window: training takes ${3 * warmup} ` +
        `bars, three times the longest lookback (${warmup} bars, the detector's warm-up); give more bars ` +
        '(a shorter timeframe) or trials with shorter lookbacks',
    );
  });

  it('names the window sizes when a train window cannot hold the purge gap', () => {
    expect(() => compareRegimeAware(bars, { ...options, train: 800 })).toThrow(
      /a train window of 800 bars less the 350-bar purge gap leaves 450 bars, fewer than twice the longest lookback \(350\): give a train window of at least 1050 bars/,
    );
  });
});

describe("a test window's trades", () => {
  // 40 falling days, then 40 rising: fast 3 crosses above slow 8 once on the way up and holds to the end.
  const closes = Float64Array.from({ length: 80 }, (_, i) => (i < 40 ? 140 - i : 60 + 2 * i));
  const bars: Bars = {
    t: Float64Array.from(closes, (_, i) => Date.UTC(2024, 0, 1) + i * 86_400_000),
    o: closes,
    h: closes.map((c) => c + 1),
    l: closes.map((c) => c - 1),
    c: closes,
    v: closes.map(() => 1000),
  };
  const run = runBacktest(bars, STRATEGIES['sma-cross'], { fast: 3, slow: 8 }, { recordPositions: true });

  it('counts a position still open at the last bar as a trade, marked to that close, and a winner here', () => {
    expect(run.trades.count).toBe(0);
    expect(run.openTrade?.pnl).toBeGreaterThan(0);
    const outcome = testOutcome(bars, run, 20);
    expect(outcome).toMatchObject({ trades: 1, wins: 1 });
    expect(outcome.segment.equity.at(-1)).toBeGreaterThan(outcome.segment.equity[0]!);
  });

  it("cannot hold one entered in the purge gap: trading starts at the test window's first bar", () => {
    // A test window starting 5 bars after the entry, its gap of 20 bars holding the crossover.
    const purge = 20;
    const test = testWindowRun(bars, { start: run.openTrade!.entryIndex + 5, end: 80 }, purge, {
      recordPositions: true,
    });
    const params = { fast: 3, slow: 8 };
    const fromGap = runBacktest(test.bars, STRATEGIES['sma-cross'], params, { recordPositions: true });
    expect(fromGap.positions![purge]).toBeGreaterThan(0);
    const tested = runBacktest(test.bars, STRATEGIES['sma-cross'], params, test.options);
    expect(Array.from(tested.positions!).every((units) => units === 0)).toBe(true);
    expect(testOutcome(test.bars, tested, purge)).toMatchObject({ trades: 0, wins: 0, turnover: 0 });
  });
});

describe('the verdict', () => {
  const regimeAware = { sharpeRatio: 1.2, deflatedSharpe: 0.95, pbo: 0.19, trialCount: 48 };
  it('is "better" only with a higher Sharpe, a deflated Sharpe of at least 95% and a PBO below 20%', () => {
    expect(comparisonVerdict(regimeAware, { sharpeRatio: 0.8 })).toEqual({
      better: true,
      verdict:
        'Regime-awareness is better here: out-of-sample Sharpe 1.20 against 0.80 for one global set, ' +
        'deflated Sharpe 95.0% over 48 trials (needs >= 95%), PBO 19.0% (needs < 20%).',
    });
    expect(comparisonVerdict({ ...regimeAware, deflatedSharpe: 0.949 }, { sharpeRatio: 0.8 }).better).toBe(
      false,
    );
    expect(comparisonVerdict({ ...regimeAware, pbo: 0.2 }, { sharpeRatio: 0.8 }).better).toBe(false);
    expect(comparisonVerdict(regimeAware, { sharpeRatio: 1.3 }).better).toBe(false);
    expect(comparisonVerdict({ ...regimeAware, pbo: NaN }, { sharpeRatio: 0.8 }).verdict).toMatch(
      /^Regime-awareness is not shown to be better here: .*PBO n\/a/,
    );
  });
});
