import { describe, expect, it } from 'vitest';
import { randomWalkBars } from '../../engine/random-walk.ts';
import { parseSpace } from '../../optimize/space.ts';
import { quintilesOf, windowPanel, type PanelWindow } from './panel.ts';
import { plantedPanel } from './planted.test-util.ts';
import { evaluatePrequential, rankFigure, spearman } from './prequential.ts';

describe('delayed prequential evaluation', () => {
  it('finds a planted relation: ranks, top fifth, pairs, coverage and the regime against its baseline', () => {
    const report = evaluatePrequential(plantedPanel(), { warmupWindows: 5 });
    expect(report.windows).toBe(55);
    expect(report.predictions).toBe(55 * 50);
    expect(report.rank.mean).toBeGreaterThan(0.8);
    expect(report.rank.t).toBeGreaterThan(2);
    expect(report.topQuintile.precision).toBeGreaterThan(0.6);
    expect(report.topQuintile.lower).toBeGreaterThan(0.2);
    expect(report.pairwise).toBeGreaterThan(0.8);
    expect(Math.abs(report.coverage80 - 0.8)).toBeLessThan(0.1);
    expect(Math.abs(report.coverage90 - 0.9)).toBeLessThan(0.1);
    // Each share's interval over windows holds its pooled point estimate and stays within 0 and 1.
    for (const [share, { lower, upper }] of [
      [report.topQuintile.precision, report.topQuintile],
      [report.pairwise, report.pairwiseInterval],
      [report.coverage80, report.coverage80Interval],
      [report.coverage90, report.coverage90Interval],
    ] as const) {
      expect(lower).toBeLessThan(share);
      expect(upper).toBeGreaterThan(share);
      expect(lower).toBeGreaterThanOrEqual(0);
      expect(upper).toBeLessThanOrEqual(1);
    }
    expect(report.calibration.map((c) => c.nominal)).toEqual([0.5, 0.6, 0.7, 0.8, 0.9, 0.95]);
    for (const { nominal, realised } of report.calibration)
      expect(Math.abs(realised - nominal)).toBeLessThan(0.1);
    expect(report.regime.stays).toBe(0);
    expect(report.regime.model).toBeGreaterThan(0.9);
    // Each scored window's rank, with the bar it closed at: the figure is their mean and t.
    expect(report.windowRanks.map((w) => w.index)).toEqual(Array.from({ length: 55 }, (_, k) => k + 5));
    expect(report.windowRanks.map((w) => w.end)).toEqual(report.windowRanks.map((w) => w.index * 10 + 11));
    expect(rankFigure(report.windowRanks.map((w) => w.rank))).toEqual(report.rank);
    // No previous score in the planted windows: the persistence baseline has nothing to say.
    expect(report.baselineTopQuintile.predictions).toBe(0);
  });

  it("predicts a window before learning it: changing a window's results changes no prediction made for it", () => {
    const panel = plantedPanel();
    const altered = panel.map((w, k) =>
      k === 30 ? { ...w, rows: w.rows.map((r) => ({ ...r, score: r.score + 100 })) } : w,
    );
    const before = evaluatePrequential(panel.slice(0, 31));
    const after = evaluatePrequential(altered.slice(0, 31));
    const last = (r: typeof before): number => r.rolling.at(-2)!.mae;
    expect(last(after)).toBe(last(before));
    // Window 30 itself is scored on predictions made before its results: its error shows the +100.
    expect(after.rolling.at(-1)!.mae).toBeGreaterThan(before.rolling.at(-1)!.mae + 5);
  });

  it('Spearman matches its textbook values', () => {
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(0.8207826816681233, 12);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBe(-1);
  });

  it("counts a window's sets as one draw: sets that miss together widen the intervals", () => {
    // The same planted panel, but every set of every fifth window scores the reverse of its relation:
    // the misses come a window at a time, so the intervals over windows widen well past the clean
    // panel's, whose windows all rank alike.
    const clean = evaluatePrequential(plantedPanel());
    const together = evaluatePrequential(
      plantedPanel().map((w) =>
        w.index % 5 === 0 ? { ...w, rows: w.rows.map((r) => ({ ...r, score: -r.score })) } : w,
      ),
    );
    const width = (i: { lower: number; upper: number }): number => i.upper - i.lower;
    expect(width(together.topQuintile)).toBeGreaterThan(2 * width(clean.topQuintile));
    expect(width(together.pairwiseInterval)).toBeGreaterThan(2 * width(clean.pairwiseInterval));
  });
});

describe('window panel', () => {
  it('reads nothing after a window opens: panels on bars cut after window 5 agree on windows 0 to 5', () => {
    const bars = randomWalkBars(900, 4, { stepMs: 86_400_000, volatility: 0.012 });
    const options = {
      strategy: 'sma-cross',
      space: parseSpace(['fast=2:20', 'slow=5:60'], ['fast<slow']),
      sets: 12,
      seed: 3,
      windowBars: 40,
      timeframe: '1d',
    };
    const full = windowPanel(bars, options);
    const cut = full[5]!.end;
    const t = bars.t.subarray(0, cut);
    const slice = (c: Float64Array): Float64Array => c.subarray(0, cut);
    const truncated = windowPanel(
      { t, o: slice(bars.o), h: slice(bars.h), l: slice(bars.l), c: slice(bars.c), v: slice(bars.v) },
      options,
    );
    expect(truncated.length).toBe(6);
    expect(truncated).toEqual(full.slice(0, 6));
  });

  it("describes each set's standing from closed windows only: its last z-score, their weighted mean, its neighbours'", () => {
    const bars = randomWalkBars(700, 6, { stepMs: 86_400_000, volatility: 0.012 });
    const panel = windowPanel(bars, {
      strategy: 'sma-cross',
      space: parseSpace(['fast=2:20', 'slow=5:60'], ['fast<slow']),
      sets: 12,
      seed: 4,
      windowBars: 40,
      timeframe: '1d',
    });
    expect(panel[0]!.rows.every((r) => r.features['past.z'] === 0 && r.features['past.zMean'] === 0)).toBe(
      true,
    );
    const zOf = (w: PanelWindow): number[] => {
      const scores = w.rows.map((r) => r.score);
      const m = scores.reduce((a, b) => a + b, 0) / scores.length;
      const sd = Math.sqrt(scores.reduce((a, b) => a + (b - m) ** 2, 0) / scores.length);
      return scores.map((v) => (v - m) / sd);
    };
    for (let k = 1; k < panel.length; k++) {
      const z = zOf(panel[k - 1]!);
      panel[k]!.rows.forEach((row, j) => expect(row.features['past.z']).toBeCloseTo(z[j]!, 12));
    }
    // After one window the weighted mean is that window's z; after two it leans to the later one.
    panel[1]!.rows.forEach((row) =>
      expect(row.features['past.zMean']).toBeCloseTo(row.features['past.z']!, 12),
    );
    const [z0, z1] = [zOf(panel[0]!), zOf(panel[1]!)];
    const decay = 0.5 ** (1 / 5);
    panel[2]!.rows.forEach((row, j) =>
      expect(row.features['past.zMean']).toBeCloseTo((decay * z0[j]! + z1[j]!) / (1 + decay), 12),
    );
    expect(new Set(panel[3]!.rows.map((r) => r.features['past.neighbourZ'])).size).toBeGreaterThan(1);
  });

  it('ranks sets into fifths, 5 the best', () => {
    expect(quintilesOf([0.5, 0.1, 0.9, 0.3, 0.7])).toEqual([3, 1, 5, 2, 4]);
    expect(quintilesOf([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });
});
