import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomWalkBars } from '../engine/random-walk.ts';
import type { Bars } from '../data/bars.ts';
import { sliceBars } from '../data/bars.ts';
import {
  adx,
  AdxState,
  atr,
  AtrState,
  bollinger,
  BollingerState,
  ema,
  EmaState,
  IndicatorCache,
  macd,
  MacdState,
  mfi,
  MfiState,
  obv,
  ObvState,
  rollingVolatility,
  rsi,
  RsiState,
  sma,
  SmaState,
  VolatilityState,
  volumeRatio,
  VolumeRatioState,
} from './index.ts';

const f64 = (values: readonly number[]): Float64Array => Float64Array.from(values);
const out = (n: number): Float64Array => new Float64Array(n);

/** Same values, NaN where the other has NaN; exact (the streaming states replay the kernels' arithmetic). */
function expectSameSeries(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 0): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e)) {
      expect(a, `index ${i}`).toBeNaN();
    } else if (tolerance === 0) {
      expect(a, `index ${i}`).toBe(e);
    } else {
      expect(Math.abs(a - e), `index ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(
        tolerance * Math.max(1, Math.abs(e)),
      );
    }
  }
}

describe('hand-checked values', () => {
  it('SMA averages the window and is NaN during the first period - 1 bars', () => {
    expectSameSeries(sma(f64([1, 2, 3, 4, 5]), 3, out(5)), [NaN, NaN, 2, 3, 4]);
  });

  it('EMA is seeded with the SMA of its first period, then k = 2 / (period + 1)', () => {
    // seed (2 + 4 + 6) / 3 = 4; k = 0.5: 4 + 0.5 (8 - 4) = 6; 6 + 0.5 (12 - 6) = 9
    expectSameSeries(ema(f64([2, 4, 6, 8, 12]), 3, out(5)), [NaN, NaN, 4, 6, 9]);
  });

  it("MACD aligns the fast EMA on the slow one's start (TA-Lib) and its signal is an EMA of the line", () => {
    const src = f64([1, 2, 4, 8, 16]);
    const [line, signal, histogram] = [out(5), out(5), out(5)];
    macd(src, 2, 3, 2, line, signal, histogram);
    // slow seed 7/3 and fast seed (2 + 4) / 2 = 3 at index 2; worked by hand in fractions.
    expectSameSeries(line, [NaN, NaN, NaN, 7 / 6, 79 / 36], 1e-14);
    expectSameSeries(signal, [NaN, NaN, NaN, 11 / 12, 191 / 108], 1e-14);
    expectSameSeries(histogram, [NaN, NaN, NaN, 1 / 4, 46 / 108], 1e-14);
  });

  it('Bollinger Bands use the population standard deviation', () => {
    const [upper, middle, lower] = [out(4), out(4), out(4)];
    bollinger(f64([1, 2, 3, 5]), 2, 2, upper, middle, lower);
    expectSameSeries(middle, [NaN, 1.5, 2.5, 4]);
    expectSameSeries(upper, [NaN, 2.5, 3.5, 6]);
    expectSameSeries(lower, [NaN, 0.5, 1.5, 2]);
  });

  it('RSI uses Wilder smoothing after a plain-mean seed', () => {
    // changes +1, -1, +2; seed gain = loss = 0.5 -> 50; then gain 1.25, loss 0.25 -> 83.33
    expectSameSeries(rsi(f64([1, 2, 1, 3]), 2, out(4)), [NaN, NaN, 50, (100 * 1.25) / 1.5], 1e-14);
  });

  const high = f64([10, 11, 12, 12]);
  const low = f64([8, 9, 9, 10]);
  const close = f64([9, 10, 11, 7]);
  const volume = f64([100, 200, 300, 400]);

  it('ATR seeds with the mean true range and then smooths with Wilder', () => {
    // TR: 2, 3, then max(12 - 10, |11 - 12|, |11 - 10|) = 2; ATR[2] = 2.5, ATR[3] = (2.5 + 2) / 2
    expectSameSeries(atr(high, low, close, 2, out(4)), [NaN, NaN, 2.5, 2.25]);
  });

  it('MFI splits money flow by the direction of the typical price', () => {
    // typical 9, 10, 32/3, 29/3: flows +2000, +3200, -3866.67
    const expected3 = (100 * 3200) / (3200 + (29 / 3) * 400);
    expectSameSeries(mfi(high, low, close, volume, 2, out(4)), [NaN, NaN, 100, expected3], 1e-14);
  });

  it('OBV adds volume on up closes and subtracts it on down closes', () => {
    expectSameSeries(obv(f64([1, 2, 2, 1]), f64([10, 20, 30, 40]), out(4)), [10, 30, 30, -10]);
  });

  it('ADX follows TA-Lib: DM/TR sums, DX from bar `period`, ADX from bar 2 x period - 1', () => {
    const h = f64([10, 12, 13, 12, 11]);
    const l = f64([8, 9, 10, 8, 7]);
    const c = f64([9, 11, 12, 9, 8]);
    // DX at 2: 100; at 3: 100 x 16 / 48; ADX[3] = mean of both; DX at 4 = 60 -> (ADX[3] + 60) / 2
    const adx3 = (100 + 100 / 3) / 2;
    expectSameSeries(adx(h, l, c, 2, out(5)), [NaN, NaN, NaN, adx3, (adx3 + 60) / 2], 1e-12);
  });

  it('volume ratio divides by the SMA of volume', () => {
    expectSameSeries(volumeRatio(f64([10, 20, 30]), 2, out(3)), [NaN, 20 / 15, 30 / 25]);
  });

  it('rolling volatility is the sample std of log returns', () => {
    expectSameSeries(
      rollingVolatility(f64([1, 2, 4, 4]), 2, out(4)),
      [NaN, NaN, 0, Math.LN2 / Math.SQRT2],
      1e-15,
    );
  });

  it('rejects bad periods and short output buffers with a message', () => {
    expect(() => sma(f64([1, 2]), 0, out(2))).toThrow(/period must be an integer >= 1, got 0/);
    expect(() => sma(f64([1, 2]), 2, out(1))).toThrow(/output buffer holds 1 values, input has 2/);
    expect(() => macd(f64([1]), 26, 12, 9, out(1), out(1), out(1))).toThrow(/fast period \(26\)/);
  });

  it('inputs shorter than the warm-up give all NaN', () => {
    expectSameSeries(sma(f64([1, 2]), 5, out(2)), [NaN, NaN]);
    expectSameSeries(ema(f64([1, 2]), 5, out(2)), [NaN, NaN]);
    expectSameSeries(adx(f64([1, 2]), f64([0, 1]), f64([1, 1]), 5, out(2)), [NaN, NaN]);
  });
});

/** Every indicator as batch + streaming, run over the same bars. */
interface Case {
  name: string;
  batch(bars: Bars, period: number): Float64Array[];
  stream(bars: Bars, period: number): Float64Array[];
}

function streamOver(
  n: number,
  outputs: number,
  step: (i: number, results: Float64Array[]) => void,
): Float64Array[] {
  const results = Array.from({ length: outputs }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) step(i, results);
  return results;
}

const CASES: Case[] = [
  {
    name: 'SMA',
    batch: (b, p) => [sma(b.c, p, out(b.c.length))],
    stream: (b, p) => {
      const s = new SmaState(p);
      return streamOver(b.c.length, 1, (i, r) => (r[0][i] = s.update(b.c[i])));
    },
  },
  {
    name: 'EMA',
    batch: (b, p) => [ema(b.c, p, out(b.c.length))],
    stream: (b, p) => {
      const s = new EmaState(p);
      return streamOver(b.c.length, 1, (i, r) => (r[0][i] = s.update(b.c[i])));
    },
  },
  {
    name: 'MACD',
    batch: (b, p) => {
      const n = b.c.length;
      const r = [out(n), out(n), out(n)];
      macd(b.c, p + 1, 2 * p + 3, p, r[0], r[1], r[2]);
      return r;
    },
    stream: (b, p) => {
      const s = new MacdState(p + 1, 2 * p + 3, p);
      return streamOver(b.c.length, 3, (i, r) => {
        s.update(b.c[i]);
        r[0][i] = s.line;
        r[1][i] = s.signal;
        r[2][i] = s.histogram;
      });
    },
  },
  {
    name: 'Bollinger',
    batch: (b, p) => {
      const n = b.c.length;
      const r = [out(n), out(n), out(n)];
      bollinger(b.c, p, 2.1, r[0], r[1], r[2]);
      return r;
    },
    stream: (b, p) => {
      const s = new BollingerState(p, 2.1);
      return streamOver(b.c.length, 3, (i, r) => {
        s.update(b.c[i]);
        r[0][i] = s.upper;
        r[1][i] = s.middle;
        r[2][i] = s.lower;
      });
    },
  },
  {
    name: 'RSI',
    batch: (b, p) => [rsi(b.c, p + 1, out(b.c.length))],
    stream: (b, p) => {
      const s = new RsiState(p + 1);
      return streamOver(b.c.length, 1, (i, r) => (r[0][i] = s.update(b.c[i])));
    },
  },
  {
    name: 'MFI',
    batch: (b, p) => [mfi(b.h, b.l, b.c, b.v, p, out(b.c.length))],
    stream: (b, p) => {
      const s = new MfiState(p);
      return streamOver(b.c.length, 1, (i, r) => (r[0][i] = s.update(b.h[i], b.l[i], b.c[i], b.v[i])));
    },
  },
  {
    name: 'ATR',
    batch: (b, p) => [atr(b.h, b.l, b.c, p, out(b.c.length))],
    stream: (b, p) => {
      const s = new AtrState(p);
      return streamOver(b.c.length, 1, (i, r) => (r[0][i] = s.update(b.h[i], b.l[i], b.c[i])));
    },
  },
  {
    name: 'ADX',
    batch: (b, p) => [adx(b.h, b.l, b.c, p + 1, out(b.c.length))],
    stream: (b, p) => {
      const s = new AdxState(p + 1);
      return streamOver(b.c.length, 1, (i, r) => (r[0][i] = s.update(b.h[i], b.l[i], b.c[i])));
    },
  },
  {
    name: 'OBV',
    batch: (b) => [obv(b.c, b.v, out(b.c.length))],
    stream: (b) => {
      const s = new ObvState();
      return streamOver(b.c.length, 1, (i, r) => (r[0][i] = s.update(b.c[i], b.v[i])));
    },
  },
  {
    name: 'volume ratio',
    batch: (b, p) => [volumeRatio(b.v, p, out(b.c.length))],
    stream: (b, p) => {
      const s = new VolumeRatioState(p);
      return streamOver(b.c.length, 1, (i, r) => (r[0][i] = s.update(b.v[i])));
    },
  },
  {
    name: 'volatility',
    batch: (b, p) => [rollingVolatility(b.c, p + 1, out(b.c.length))],
    stream: (b, p) => {
      const s = new VolatilityState(p + 1);
      return streamOver(b.c.length, 1, (i, r) => (r[0][i] = s.update(b.c[i])));
    },
  },
];

const barsArbitrary = fc
  .record({
    n: fc.integer({ min: 0, max: 300 }),
    seed: fc.integer(),
    period: fc.integer({ min: 1, max: 30 }),
  })
  .map(({ n, seed, period }) => ({ bars: randomWalkBars(n, seed, { gapProbability: 0.1 }), period }));

describe.each(CASES)('$name', (c) => {
  it('batch output equals the streaming state bar by bar (differential)', () => {
    fc.assert(
      fc.property(barsArbitrary, ({ bars, period }) => {
        const batch = c.batch(bars, period);
        const stream = c.stream(bars, period);
        batch.forEach((series, k) => expectSameSeries(stream[k], series));
      }),
      { numRuns: 60 },
    );
  });

  it('has no look-ahead: truncating future bars leaves past outputs unchanged', () => {
    fc.assert(
      fc.property(barsArbitrary, fc.double({ min: 0, max: 1, noNaN: true }), ({ bars, period }, cut) => {
        const keep = Math.floor(bars.c.length * cut);
        const full = c.batch(bars, period);
        // Copy the prefix so the kernel cannot reach past it through a shared buffer.
        const prefix = sliceBars(bars, 0, keep);
        const copy: Bars = {
          t: prefix.t.slice(),
          o: prefix.o.slice(),
          h: prefix.h.slice(),
          l: prefix.l.slice(),
          c: prefix.c.slice(),
          v: prefix.v.slice(),
        };
        const truncated = c.batch(copy, period);
        full.forEach((series, k) => expectSameSeries(truncated[k], series.subarray(0, keep)));
      }),
      { numRuns: 60 },
    );
  });
});

describe('long series stay accurate', () => {
  it('rolling std over 100,000 bars agrees with a two-pass computation', () => {
    const bars = randomWalkBars(100_000, 7, { start: 500, volatility: 0.0005 });
    const std = new Float64Array(bars.c.length);
    const [upper, middle] = [out(bars.c.length), out(bars.c.length)];
    bollinger(bars.c, 20, 1, upper, middle, std);
    for (const i of [19, 5_000, 50_000, 99_999]) {
      let mean = 0;
      for (let j = i - 19; j <= i; j++) mean += bars.c[j] / 20;
      let variance = 0;
      for (let j = i - 19; j <= i; j++) variance += (bars.c[j] - mean) ** 2 / 20;
      const width = upper[i] - middle[i];
      expect(Math.abs(width - Math.sqrt(variance)) / Math.sqrt(variance)).toBeLessThan(1e-6);
    }
  });
});

describe('IndicatorCache', () => {
  const bars = randomWalkBars(500, 3);

  it('computes an indicator once per parameters and returns the same array afterwards', () => {
    const cache = new IndicatorCache(bars);
    const first = cache.sma(10);
    expect(cache.sma(10)).toBe(first);
    expect(cache.sma(11)).not.toBe(first);
    expectSameSeries(first, sma(bars.c, 10, out(500)));
    const stats = cache.stats();
    expect(stats.hits).toBe(1);
    expect(stats.entries).toBe(2);
    expect(stats.bytes).toBe(2 * 500 * 8);
  });

  it('shares the MACD line among signal periods and matches the macd kernel', () => {
    const cache = new IndicatorCache(bars);
    const signal = cache.macdSignal(12, 26, 9);
    cache.macdSignal(12, 26, 5);
    expect(cache.stats().entries).toBe(3);
    const [line, expectedSignal, histogram] = [out(500), out(500), out(500)];
    macd(bars.c, 12, 26, 9, line, expectedSignal, histogram);
    expectSameSeries(signal, expectedSignal);
  });

  it('evicts least recently used arrays beyond its byte budget', () => {
    const cache = new IndicatorCache(bars, 2 * 500 * 8);
    const a = cache.sma(5);
    cache.sma(6);
    cache.sma(5); // a is now the most recent
    cache.sma(7); // evicts sma(6)
    const stats = cache.stats();
    expect(stats.entries).toBe(2);
    expect(stats.evictions).toBe(1);
    expect(cache.sma(5)).toBe(a);
  });
});
