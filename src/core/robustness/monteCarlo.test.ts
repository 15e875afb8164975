import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../math/random.ts';
import {
  BAND_PERCENTILES,
  blockBootstrap,
  compoundPath,
  defaultBlockLength,
  pathBands,
  shuffleTrades,
} from './index.ts';

function randomReturns(n: number, seed: number, scale = 0.02): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => scale * rng.normal());
}

describe('compoundPath', () => {
  it('compounds from 1 and measures the deepest fall from a running peak (checked by hand)', () => {
    const equity = new Float64Array(4);
    // 1 -> 1.1 -> 0.88 -> 1.32: the fall from 1.1 to 0.88 is 20%.
    const drawdown = compoundPath([0.1, -0.2, 0.5], equity);
    expect(Array.from(equity)).toEqual([1, 1.1, 1.1 * 0.8, 1.1 * 0.8 * 1.5]);
    expect(drawdown).toBeCloseTo(0.2, 12);
  });
});

describe('shuffleTrades', () => {
  it('is deterministic for a seed and differs for another', () => {
    const trades = randomReturns(60, 3, 0.05);
    const a = shuffleTrades(trades, { resamples: 200, seed: 7 });
    const b = shuffleTrades(trades, { resamples: 200, seed: 7 });
    const c = shuffleTrades(trades, { resamples: 200, seed: 8 });
    expect(a).toEqual(b);
    expect(c.equityBands[2]).not.toEqual(a.equityBands[2]);
  });

  it('keeps the final compounded equity identical in every resample (property, several seeds)', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const trades = randomReturns(40, seed, 0.08);
      let final = 1;
      for (const r of trades) final *= 1 + r;
      const result = shuffleTrades(trades, { resamples: 100, seed });
      // Every band's last point is a percentile of the resamples' final equities, so all agree only if
      // every resample ended at the same value.
      for (const band of result.equityBands) expect(band[trades.length]).toBeCloseTo(final, 10);
      // Signed as the maxDrawdown metric: the 95th-percentile worst (last) is the most negative.
      const drawdowns = result.maxDrawdownBands;
      expect(drawdowns[4]).toBeLessThan(drawdowns[0]);
      expect(drawdowns[0]).toBeLessThanOrEqual(0);
    }
  });

  it('gives the hand-computed drawdown and ruin odds for two trades', () => {
    // Either order ends at 0.99 with a 10% drawdown; only "-10% first" dips below a 0.95 floor, so
    // ruin is the share of resamples starting with the loss, a fair coin.
    const result = shuffleTrades([0.1, -0.1], {
      resamples: 4000,
      seed: 11,
      ruinFloor: 0.95,
      drawdownDepth: 0.05,
    });
    // A 10 % fall from the peak reads -10 %, as the run's own max drawdown does.
    for (const q of result.maxDrawdownBands) expect(q).toBeCloseTo(-0.1, 12);
    expect(result.probDrawdownBeyond).toBe(1);
    expect(result.probRuin).toBeGreaterThan(0.47);
    expect(result.probRuin).toBeLessThan(0.53);
    expect(result.equityBands[0][1]).toBeCloseTo(0.9, 12);
    expect(result.equityBands[4][1]).toBeCloseTo(1.1, 12);
  });
});

describe('blockBootstrap', () => {
  it('gives degenerate bands for a zero-variance series', () => {
    const flat = new Float64Array(250).fill(0.001);
    const result = blockBootstrap(flat, { resamples: 50, seed: 2 });
    for (let i = 0; i <= flat.length; i++) {
      const expected = Math.pow(1.001, i);
      for (const band of result.equityBands) expect(band[i]).toBeCloseTo(expected, 12);
    }
    // No fall: exactly 0, not -0 (which prints "-0.00%").
    for (const q of result.maxDrawdownBands) expect(Object.is(q, 0)).toBe(true);
    for (const band of result.drawdownBands) for (const d of band) expect(Object.is(d, 0)).toBe(true);
    expect(result.probDrawdownBeyond).toBe(0);
    expect(result.probRuin).toBe(0);
  });

  it('is deterministic, uses n^(1/3) blocks by default and orders its bands', () => {
    const daily = randomReturns(504, 5);
    const a = blockBootstrap(daily, { resamples: 300, seed: 9 });
    expect(a).toEqual(blockBootstrap(daily, { resamples: 300, seed: 9 }));
    expect(a.blockLength).toBe(defaultBlockLength(504));
    expect(defaultBlockLength(504)).toBe(8);
    const last = daily.length;
    for (let b = 1; b < 5; b++) {
      expect(a.equityBands[b][last]).toBeGreaterThan(a.equityBands[b - 1][last]);
      // Equity ascends to the best tail; drawdowns descend to the worst (more negative) tail.
      expect(a.maxDrawdownBands[b]).toBeLessThan(a.maxDrawdownBands[b - 1]);
    }
  });

  it('keeps losing streaks that an i.i.d. resample (block 1) breaks up', () => {
    // Runs of 20 losses then 20 gains: blocks of ~20 replay whole streaks, so the median drawdown is near
    // a full run of losses (1 - 0.98^20 = 33%); single-day draws mix signs and fall far less.
    const streaky = Float64Array.from({ length: 400 }, (_, i) =>
      Math.floor(i / 20) % 2 === 0 ? -0.02 : 0.02,
    );
    const iid = blockBootstrap(streaky, { resamples: 300, seed: 4, blockLength: 1 });
    const blocks = blockBootstrap(streaky, { resamples: 300, seed: 4, blockLength: 20 });
    expect(blocks.maxDrawdownBands[2]).toBeLessThan(1.5 * iid.maxDrawdownBands[2]);
  });
});

describe('bad input', () => {
  it.each([
    [() => shuffleTrades([]), /tradeReturns must be a non-empty list/],
    [() => shuffleTrades([0.1, Number.NaN]), /tradeReturns\[1\] must be a finite return >= -1, got NaN/],
    [() => blockBootstrap([0.1, -1.5]), /periodReturns\[1\] must be a finite return >= -1, got -1.5/],
    [() => shuffleTrades([0.1], { resamples: 0 }), /resamples must be an integer >= 1, got 0/],
    [() => shuffleTrades([0.1], { resamples: 2.5 }), /resamples must be an integer >= 1, got 2.5/],
    [() => shuffleTrades([0.1], { drawdownDepth: 1 }), /drawdownDepth must be a fraction in \(0, 1\), got 1/],
    [() => shuffleTrades([0.1], { ruinFloor: -0.1 }), /ruinFloor must be a fraction in \(0, 1\), got -0.1/],
    [() => shuffleTrades([0.1], { seed: Number.POSITIVE_INFINITY }), /seed must be a finite number/],
    [() => blockBootstrap([0.1, 0.2], { blockLength: 3 }), /blockLength must be an integer in \[1, 2\]/],
    [
      () => blockBootstrap([0.1, 0.2], { blockLength: 0 }),
      /blockLength must be an integer in \[1, 2\].*got 0/,
    ],
  ])('refuses %#, naming the field', (call, message) => {
    expect(call).toThrow(message);
  });
});

/** numpy's default (linear) quantile of `values`, computed independently of the kernel. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) / 2;
  return sorted[Math.floor(h)]! + (h - Math.floor(h)) * (sorted[Math.ceil(h)]! - sorted[Math.floor(h)]!);
}

describe('drawdown bands over time', () => {
  it('p50 is the median of the paths’ drawdowns at each step, and the bands are ordered (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 25 }),
        fc.integer(),
        (resamples, width, seed) => {
          const rng = createRng(seed);
          const paths = Float64Array.from({ length: resamples * width }, () => 0.2 + 2 * rng.float());
          const equityBands = BAND_PERCENTILES.map(() => new Float64Array(width));
          const drawdownBands = BAND_PERCENTILES.map(() => new Float64Array(width));
          pathBands(paths, resamples, width, equityBands, drawdownBands);
          const peaks = new Array<number>(resamples).fill(0);
          for (let i = 0; i < width; i++) {
            const falls: number[] = [];
            for (let s = 0; s < resamples; s++) {
              const value = paths[s * width + i]!;
              peaks[s] = Math.max(peaks[s]!, value);
              falls.push(1 - value / peaks[s]!);
            }
            expect(drawdownBands[2]![i]).toBeCloseTo(-median(falls), 12);
            for (let b = 1; b < BAND_PERCENTILES.length; b++) {
              expect(drawdownBands[b]![i]!).toBeLessThanOrEqual(drawdownBands[b - 1]![i]!);
              expect(equityBands[b]![i]!).toBeGreaterThanOrEqual(equityBands[b - 1]![i]!);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('starts at 0, stays within [-1, 0] and never falls below the maximum drawdown band', () => {
    const result = blockBootstrap(randomReturns(252, 4), { resamples: 300, seed: 2 });
    for (const [b, band] of result.drawdownBands.entries()) {
      expect(band).toHaveLength(253);
      expect(band[0]).toBe(0);
      for (const d of band) {
        expect(d).toBeGreaterThanOrEqual(-1);
        expect(d).toBeLessThanOrEqual(0);
      }
      // A percentile of drawdowns at one step is at most as deep as that percentile of the paths' deepest.
      expect(Math.min(...band)).toBeGreaterThanOrEqual(result.maxDrawdownBands[b]! - 1e-12);
    }
    // One resample: the band is that path's own drawdown, read off its equity.
    const single = shuffleTrades([0.1, -0.2, 0.5, -0.1], { resamples: 1, seed: 3 });
    const equity = single.equityBands[2]!;
    let peak = 0;
    for (const [i, value] of equity.entries()) {
      peak = Math.max(peak, value);
      expect(single.drawdownBands[2]![i]).toBeCloseTo(value / peak - 1, 12);
    }
  });
});
