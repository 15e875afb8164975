import { describe, expect, it } from 'vitest';
import { hacMean, hacRatio, interval95, neweyWestLag, Z_95 } from './hac.ts';
import { createRng } from './random.ts';
import { sampleStd } from './statistics.ts';

/**
 * Wilson's score interval at 95 %: what the learner's top-quintile precision carried before, which
 * treats every prediction as an independent draw. The reference the clustered interval is held against.
 */
function wilson(hits: number, total: number): { lower: number; upper: number } {
  const p = hits / total;
  const denominator = 1 + (Z_95 * Z_95) / total;
  const centre = (p + (Z_95 * Z_95) / (2 * total)) / denominator;
  const half = (Z_95 * Math.sqrt((p * (1 - p)) / total + (Z_95 * Z_95) / (4 * total * total))) / denominator;
  return { lower: centre - half, upper: centre + half };
}

/** Windows of `size` predictions each, in time order; `together`: a window's predictions hit or miss as one. */
function windowsOfHits(seed: number, windows: number, size: number, p: number, together: boolean) {
  const rng = createRng(seed);
  const hits: number[] = [];
  for (let w = 0; w < windows; w++) {
    if (together) hits.push(rng.float() < p ? size : 0);
    else {
      let h = 0;
      for (let k = 0; k < size; k++) if (rng.float() < p) h++;
      hits.push(h);
    }
  }
  return { hits, sizes: hits.map(() => size) };
}

describe('Newey-West HAC standard errors', () => {
  it('match statsmodels on a known series: the mean, and a pooled share over windows of unequal size', () => {
    // Expected: statsmodels 0.13.5, sm.OLS(x, ones).fit(cov_type='HAC',
    // cov_kwds={'maxlags': 2, 'use_correction': True}).bse[0] (lag: floor(4 (12/100)^(2/9)) = 2).
    const x = [0.31, -0.12, 0.45, 0.27, 0.05, -0.2, 0.38, 0.22, 0.16, -0.04, 0.29, 0.41];
    const mean = hacMean(x);
    expect(mean.lag).toBe(2);
    expect(mean.estimate).toBeCloseTo(0.18166666666666673, 14);
    expect(mean.standardError).toBeCloseTo(0.041900689600543856, 14);
    // Expected: the window's predictions as 0/1 rows, sm.OLS(y, ones).fit() then
    // sandwich_covariance.cov_nw_groupsum(res, 2, window, use_correction=False) x 8/7 (the n/(n-1) of
    // eight windows), square-rooted: Driscoll & Kraay over windows.
    const ratio = hacRatio([3, 0, 5, 2, 4, 1, 0, 6], [10, 8, 10, 10, 12, 10, 9, 11]);
    expect(ratio.estimate).toBe(21 / 80);
    expect(ratio.standardError).toBeCloseTo(0.04448176291631048, 14);
  });

  it('are the textbook sd/√n at lag 0, and a pooled share of equal windows is the mean of their shares', () => {
    const x = [0.31, -0.12, 0.45, 0.27, 0.05, -0.2, 0.38];
    expect(hacMean(x, 0).standardError).toBeCloseTo(sampleStd(x) / Math.sqrt(x.length), 15);
    const hits = [3, 0, 5, 2, 4, 1, 0, 6];
    const byShare = hacMean(hits.map((h) => h / 10));
    const pooled = hacRatio(
      hits,
      hits.map(() => 10),
    );
    expect(pooled.estimate).toBeCloseTo(byShare.estimate, 15);
    expect(pooled.standardError).toBeCloseTo(byShare.standardError, 15);
  });

  it("take Newey & West's (1994) lag, floor(4 (n/100)^(2/9)), never past n - 1", () => {
    expect([1, 2, 3, 12, 58, 87, 100, 489].map(neweyWestLag)).toEqual([0, 1, 1, 2, 3, 3, 4, 5]);
    expect(hacMean([1]).standardError).toBeNaN();
    expect(hacRatio([], []).estimate).toBeNaN();
    expect(() => hacRatio([1, 2], [3])).toThrow('2 numerators against 1 denominators');
  });

  it('widen with serial correlation: an AR(1) mean errs more than sd/√n says', () => {
    const rng = createRng(11);
    const series: number[] = [];
    let previous = 0;
    for (let t = 0; t < 500; t++) series.push((previous = 0.6 * previous + rng.normal()));
    const iid = sampleStd(series) / Math.sqrt(series.length);
    // The long-run variance of an AR(1) with φ 0.6 is (1 + φ)/(1 - φ) = 4 times its variance: √4 = 2
    // at infinite lag; Bartlett's weights at lag 5 reach part of it.
    expect(hacMean(series).standardError / iid).toBeGreaterThan(1.4);
  });

  it("give a pooled share a wider interval than Wilson's when a window's predictions miss together", () => {
    const { hits, sizes } = windowsOfHits(5, 58, 10, 0.3, true);
    const total = sizes.reduce((a, b) => a + b, 0);
    const sum = hits.reduce((a, b) => a + b, 0);
    const clustered = interval95(hacRatio(hits, sizes), 0, 1);
    const naive = wilson(sum, total);
    // Ten predictions that move as one are one draw: about √10 ≈ 3.2 times the width.
    expect((clustered.upper - clustered.lower) / (naive.upper - naive.lower)).toBeGreaterThan(2.2);
  });

  it("roughly agree with Wilson's interval when every prediction is independent", () => {
    // 400 windows: over 58 the HAC estimate's own noise spreads the ratio from 0.6 to 1.3 across seeds.
    for (const seed of [1, 2, 3]) {
      const { hits, sizes } = windowsOfHits(seed, 400, 10, 0.3, false);
      const total = sizes.reduce((a, b) => a + b, 0);
      const sum = hits.reduce((a, b) => a + b, 0);
      const clustered = interval95(hacRatio(hits, sizes), 0, 1);
      const naive = wilson(sum, total);
      const ratio = (clustered.upper - clustered.lower) / (naive.upper - naive.lower);
      expect(ratio).toBeGreaterThan(0.8);
      expect(ratio).toBeLessThan(1.2);
    }
  });

  it("Wilson's reference matches R", () => {
    // R: prop.test(8, 10, correct = FALSE)$conf.int -> 0.4901625 0.9433178
    const { lower, upper } = wilson(8, 10);
    expect(lower).toBeCloseTo(0.4901625, 6);
    expect(upper).toBeCloseTo(0.9433178, 6);
  });

  it('clip an interval to its bounds', () => {
    expect(interval95({ estimate: 0.98, standardError: 0.05, lag: 0 }, 0, 1)).toEqual({
      lower: 0.98 - Z_95 * 0.05,
      upper: 1,
    });
  });
});
