import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TradeLog } from '../engine/types.ts';
import { EQUITY_METRIC_KEYS, METRIC_DEFINITIONS } from './definitions.ts';
import { annualizationOf, computeEquityMetrics, computeMetrics } from './metrics.ts';
import type { Metrics } from './metrics.ts';
import { deflatedSharpeRatio } from './overfitting.ts';
import { periodEndIndices, periodSeries } from './periods.ts';

interface TradeRow {
  entryIndex: number;
  exitIndex: number;
  entryTime?: number;
  exitTime?: number;
  pnl: number;
  returnPct: number;
}

/** A trade log with spare capacity filled with junk, so reading past `count` would show in the results. */
function tradeLog(rows: TradeRow[]): TradeLog {
  const capacity = rows.length * 2 + 4;
  const log: TradeLog = {
    count: rows.length,
    entryIndex: new Int32Array(capacity).fill(999),
    exitIndex: new Int32Array(capacity).fill(-999),
    entryTime: new Float64Array(capacity).fill(1e15),
    exitTime: new Float64Array(capacity).fill(-1e15),
    entryPrice: new Float64Array(capacity).fill(1),
    exitPrice: new Float64Array(capacity).fill(1),
    size: new Float64Array(capacity).fill(1),
    pnl: new Float64Array(capacity).fill(1e9),
    returnPct: new Float64Array(capacity).fill(1e9),
    commission: new Float64Array(capacity),
    exitReason: new Uint8Array(capacity),
    stopLoss: new Float64Array(capacity),
    takeProfit: new Float64Array(capacity),
    entrySignals: new Uint32Array(capacity),
    entryConfidence: new Float64Array(capacity),
  };
  rows.forEach((row, i) => {
    log.entryIndex[i] = row.entryIndex;
    log.exitIndex[i] = row.exitIndex;
    log.entryTime[i] = row.entryTime ?? 0;
    log.exitTime[i] = row.exitTime ?? 0;
    log.pnl[i] = row.pnl;
    log.returnPct[i] = row.returnPct;
  });
  return log;
}

const noTrades = tradeLog([]);
const DAY = 86_400_000;
const utc = (date: string): number => Date.parse(`${date}T00:00:00Z`);

function expectClose(actual: number, expected: number, relative = 1e-12): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.max(1, Math.abs(expected)));
}

describe('computeMetrics on a hand-checked daily example', () => {
  // Daily bars (CSV dates at UTC midnight) spanning January and February 2024; initial cash 100.
  // Wealth 100 | 101 99 102 104 100 103, returns 1%, -1.9802%, 3.0303%, 1.9608%, -3.8462%, 3%.
  const t = Float64Array.from(
    ['2024-01-30', '2024-01-31', '2024-02-01', '2024-02-02', '2024-02-05', '2024-02-06'].map(utc),
  );
  const equity = Float64Array.of(101, 99, 102, 104, 100, 103);
  const trades = tradeLog([
    { entryIndex: 0, exitIndex: 1, entryTime: t[0], exitTime: t[1], pnl: 5, returnPct: 0.05 },
    { entryIndex: 3, exitIndex: 3, entryTime: t[3], exitTime: t[3] + DAY / 4, pnl: -2, returnPct: -0.02 },
    { entryIndex: 4, exitIndex: 5, entryTime: t[4], exitTime: t[5], pnl: 3, returnPct: 0.03 },
    { entryIndex: 5, exitIndex: 5, entryTime: t[5], exitTime: t[5], pnl: 0, returnPct: 0 },
  ]);
  const metrics = computeMetrics({ t, equity, initialCash: 100, trades });

  it("with returnsFrom 'first-bar' the returns start at the first bar's equity, not the cash", () => {
    const fromFirstBar = computeMetrics({ t, equity, initialCash: 100, trades, returnsFrom: 'first-bar' });
    const bare = computeEquityMetrics(t, equity);
    for (const key of EQUITY_METRIC_KEYS) expect(fromFirstBar[key], key).toBe(bare[key]);
    // By hand: 103 / 101 - 1 over five returns, against 103 / 100 - 1 over six from the cash.
    expectClose(fromFirstBar.totalReturn, 103 / 101 - 1);
    expect(fromFirstBar.numPeriods).toBe(metrics.numPeriods - 1);
  });

  it('return and risk metrics', () => {
    // Expected: /tmp reference in python3 with numpy/scipy (np.std ddof=1, np.percentile, scipy.stats.skew,
    // kurtosis fisher=False, norm.cdf), the formulas of issue 4 item 5 written out independently.
    // By hand: total 103/100 - 1 = 3%; max drawdown 100/104 - 1 = -1/26; CAGR 1.03^(252/6) - 1.
    expectClose(metrics.finalEquity, 103);
    expectClose(metrics.totalReturn, 0.03);
    expectClose(metrics.annualizedReturn, Math.pow(1.03, 252 / 6) - 1);
    expectClose(metrics.annualizedReturn, 2.4606958935318217);
    expectClose(metrics.volatility, 0.4494041312630597);
    expectClose(metrics.sharpeRatio, 2.9576695190914606);
    expectClose(metrics.sortinoRatio, 4.741085399905035);
    expectClose(metrics.calmarRatio, 63.97809323182741);
    expectClose(metrics.maxDrawdown, -1 / 26);
    expectClose(metrics.valueAtRisk, -0.03379664889565878);
    expectClose(metrics.skewness, -0.6333068376361434);
    expectClose(metrics.kurtosis, 1.8171570686462986);
    expectClose(metrics.probabilisticSharpe, 0.6527563517411283);
    expect(metrics.numPeriods).toBe(6);
    // January compounds to 99/100 (down), February to 103/99 (up): one month of two.
    expect(metrics.consistencyScore).toBe(0.5);
    // 104 on Feb 2 is not regained by Feb 6: 4 calendar days, 2 periods (longer than 101 → 102, 2 days).
    expect(metrics.maxDrawdownDurationDays).toBe(4);
    expect(metrics.maxDrawdownDurationPeriods).toBe(2);
    expect(metrics.deflatedSharpe).toBeNaN();
  });

  it('trade metrics', () => {
    // Wins 5 and 3, loss 2, one flat trade. Win rate 2/4; profit factor 8/2; avg win 4 / avg loss 2;
    // expectancy (5 - 2 + 3 + 0)/4 = 1.5; mean return 0.06/4 = 0.015; durations 1, 0, 1, 0 bars and
    // 1, 0.25, 1, 0 days. Bars held: 0-1, 3, 4-5 → 5 of 6 bars (bar 2 is flat).
    expect(metrics.numTrades).toBe(4);
    expect(metrics.winRate).toBe(0.5);
    expect(metrics.profitFactor).toBe(4);
    expect(metrics.averageWinLossRatio).toBe(2);
    expect(metrics.expectancy).toBe(1.5);
    expectClose(metrics.averageTradeReturn, 0.015);
    expect(metrics.bestTrade).toBe(0.05);
    expect(metrics.worstTrade).toBe(-0.02);
    expect(metrics.avgTradeDurationBars).toBe(0.5);
    expect(metrics.maxTradeDurationBars).toBe(1);
    expect(metrics.avgTradeDurationDays).toBe(0.5625);
    expect(metrics.maxTradeDurationDays).toBe(1);
    expectClose(metrics.exposure, 5 / 6);
  });

  it('takes exposure from an in-market series when given', () => {
    const inMarket = Float64Array.of(0, 10, -5, 0, 0, NaN);
    expect(computeMetrics({ t, equity, initialCash: 100, trades, inMarket }).exposure).toBeCloseTo(2 / 6, 15);
  });

  it('counts a position still open at the end (openFrom) in exposure, not in the trade statistics', () => {
    // Closed trades cover bars 0-1, 3, 4-5; opening at bar 2 and holding to the end adds bar 2.
    const held = computeMetrics({ t, equity, initialCash: 100, trades, openFrom: 2 });
    expect(held.exposure).toBe(1);
    expect(held.numTrades).toBe(4);
    const noTrades = tradeLog([]);
    expect(
      computeMetrics({ t, equity, initialCash: 100, trades: noTrades, openFrom: 1 }).exposure,
    ).toBeCloseTo(5 / 6, 15);
  });

  it('computes the deflated Sharpe ratio when the trial count and variance are given', () => {
    const withTrials = computeMetrics({
      t,
      equity,
      initialCash: 100,
      trades,
      trialCount: 50,
      trialSharpeVariance: 0.8,
    });
    const expected = deflatedSharpeRatio({
      sharpe: withTrials.sharpeRatio,
      trials: 50,
      sharpeVariance: 0.8,
      n: 6,
      skew: withTrials.skewness,
      kurtosis: withTrials.kurtosis,
      periodsPerYear: 252,
    });
    expect(withTrials.deflatedSharpe).toBe(expected);
    expect(withTrials.deflatedSharpe).toBeLessThan(withTrials.probabilisticSharpe);
  });

  it('describes every key it returns, and nothing else', () => {
    expect(Object.keys(metrics).sort()).toEqual(Object.keys(METRIC_DEFINITIONS).sort());
    expect(Object.keys(computeEquityMetrics(t, equity)).sort()).toEqual([...EQUITY_METRIC_KEYS].sort());
    for (const definition of Object.values(METRIC_DEFINITIONS)) {
      expect(definition.label.length).toBeGreaterThan(0);
      expect(definition.description.length).toBeGreaterThan(0);
    }
  });
});

describe('undefined metrics are NaN or the documented value, never a throw', () => {
  const t = Float64Array.from({ length: 5 }, (_, i) => utc('2024-03-04') + i * DAY);

  it('flat equity and no trades', () => {
    const m = computeMetrics({
      t,
      equity: new Float64Array(5).fill(1000),
      initialCash: 1000,
      trades: noTrades,
    });
    expect(m.totalReturn).toBe(0);
    expect(m.annualizedReturn).toBe(0);
    expect(m.maxDrawdown).toBe(0);
    expect(m.volatility).toBe(0);
    for (const key of [
      'sharpeRatio',
      'sortinoRatio',
      'calmarRatio',
      'skewness',
      'probabilisticSharpe',
    ] as const) {
      expect(m[key]).toBeNaN();
    }
    for (const key of [
      'winRate',
      'profitFactor',
      'averageWinLossRatio',
      'expectancy',
      'bestTrade',
    ] as const) {
      expect(m[key]).toBeNaN();
    }
    expect(m.numTrades).toBe(0);
    expect(m.exposure).toBe(0);
    expect(m.consistencyScore).toBe(0);
  });

  it('gains without losses give infinite profit factor, win/loss ratio and Sortino', () => {
    const equity = Float64Array.of(101, 102, 103, 104, 105);
    const trades = tradeLog([{ entryIndex: 0, exitIndex: 4, pnl: 5, returnPct: 0.05 }]);
    const m = computeMetrics({ t, equity, initialCash: 100, trades });
    expect(m.profitFactor).toBe(Infinity);
    expect(m.averageWinLossRatio).toBe(Infinity);
    expect(m.sortinoRatio).toBe(Infinity);
    expect(m.calmarRatio).toBe(Infinity);
    expect(m.maxDrawdown).toBe(0);
  });

  it('losses only give a zero profit factor and win/loss ratio', () => {
    const trades = tradeLog([{ entryIndex: 0, exitIndex: 1, pnl: -3, returnPct: -0.03 }]);
    const m = computeMetrics({ t, equity: new Float64Array(5).fill(97), initialCash: 100, trades });
    expect(m.profitFactor).toBe(0);
    expect(m.averageWinLossRatio).toBe(0);
    expect(m.winRate).toBe(0);
  });

  it('no bars at all', () => {
    const m = computeMetrics({
      t: new Float64Array(0),
      equity: new Float64Array(0),
      initialCash: 100,
      trades: noTrades,
    });
    expect(m.numPeriods).toBe(0);
    expect(m.finalEquity).toBeNaN();
    expect(m.annualizedReturn).toBeNaN();
    expect(m.sharpeRatio).toBeNaN();
    expect(m.valueAtRisk).toBeNaN();
    expect(m.exposure).toBeNaN();
    const bare = computeEquityMetrics(new Float64Array(0), new Float64Array(0));
    expect(bare.totalReturn).toBeNaN();
    expect(bare.maxDrawdown).toBeNaN();
  });

  it('a wiped-out account has CAGR -1', () => {
    const m = computeMetrics({
      t,
      equity: Float64Array.of(50, 10, 0, 0, 0),
      initialCash: 100,
      trades: noTrades,
    });
    expect(m.annualizedReturn).toBe(-1);
    expect(m.maxDrawdown).toBe(-1);
    expect(m.totalReturn).toBe(-1);
  });

  it('rejects mismatched columns (a caller bug)', () => {
    expect(() => computeEquityMetrics(t, new Float64Array(3))).toThrow(RangeError);
  });
});

describe('intraday equity is sampled at session closes', () => {
  // One-minute bars 09:30-15:59 ET over six sessions around the 2024-03-10 DST change, with equity
  // wandering inside each session but closing at the daily series below. Metrics must equal those of
  // the same closes given as daily bars.
  const sessions = ['2024-03-06', '2024-03-07', '2024-03-08', '2024-03-11', '2024-03-12', '2024-03-13'];
  const closes = [10_100, 9_950, 10_240, 10_180, 10_400, 10_350];
  const t: number[] = [];
  const equity: number[] = [];
  sessions.forEach((date, s) => {
    // 09:30 ET is 14:30 UTC before the change (EST) and 13:30 UTC after (EDT).
    const open = Date.parse(`${date}T${date < '2024-03-10' ? '14' : '13'}:30:00Z`);
    for (let minute = 0; minute < 390; minute++) {
      t.push(open + minute * 60_000);
      equity.push(minute === 389 ? closes[s] : closes[s] + 200 * Math.sin(minute / 17 + s));
    }
  });
  const intraday = { t: Float64Array.from(t), equity: Float64Array.from(equity) };

  it('finds one period per session', () => {
    const ends = periodEndIndices(intraday.t);
    expect(Array.from(ends)).toEqual([389, 779, 1169, 1559, 1949, 2339]);
  });

  it('equals the daily computation', () => {
    const daily = {
      t: Float64Array.from(sessions.map(utc)),
      equity: Float64Array.from(closes),
    };
    const a = computeMetrics({ ...intraday, initialCash: 10_000, trades: noTrades });
    const b = computeMetrics({ ...daily, initialCash: 10_000, trades: noTrades });
    for (const key of EQUITY_METRIC_KEYS) {
      if (key === 'maxDrawdownDurationDays') continue; // Intraday period ends carry the session's close time.
      expect(a[key]).toBe(b[key]);
    }
    expect(a.exposure).toBe(0);
  });

  it('a precomputed periodEnds gives the same result', () => {
    const periodEnds = periodEndIndices(intraday.t);
    const a = computeMetrics({ ...intraday, initialCash: 10_000, trades: noTrades });
    const b = computeMetrics({ ...intraday, initialCash: 10_000, trades: noTrades, periodEnds });
    expect(b).toEqual(a);
  });
});

describe('properties', () => {
  // Returns on a basis-point grid: returns within a few ulps of 0 are rounding noise whose sign flips
  // under scaling, which would test floating point rather than the metrics.
  const returnsArbitrary = fc.array(
    fc.integer({ min: -2000, max: 2500 }).map((bp) => bp / 10_000),
    { minLength: 2, maxLength: 80 },
  );

  function curve(returns: number[], start: number): { t: Float64Array; equity: Float64Array } {
    const equity = new Float64Array(returns.length);
    let w = start;
    returns.forEach((r, i) => {
      w *= 1 + r;
      equity[i] = w;
    });
    const t = Float64Array.from(returns, (_, i) => utc('2023-01-02') + i * DAY);
    return { t, equity };
  }

  const scaleFree: Array<keyof Metrics> = [
    'totalReturn',
    'annualizedReturn',
    'volatility',
    'sharpeRatio',
    'sortinoRatio',
    'calmarRatio',
    'maxDrawdown',
    'maxDrawdownDurationDays',
    'valueAtRisk',
    'skewness',
    'kurtosis',
    'probabilisticSharpe',
    'consistencyScore',
    'winRate',
    'profitFactor',
    'averageWinLossRatio',
    'exposure',
  ];

  it('ratios and returns do not change when equity and trade pnl are scaled by a constant', () => {
    fc.assert(
      fc.property(
        returnsArbitrary,
        fc.double({ min: 0.001, max: 1000, noNaN: true }),
        // Whole cents: subnormal pnls would underflow to 0 when scaled and flip a loss into a flat trade.
        fc.array(
          fc.integer({ min: -5000, max: 5000 }).map((cents) => cents / 100),
          { maxLength: 6 },
        ),
        (returns, scale, pnls) => {
          const { t, equity } = curve(returns, 10_000);
          const rows = pnls.map((pnl, i) => ({
            entryIndex: i,
            exitIndex: i + 1,
            pnl,
            returnPct: pnl / 1000,
          }));
          const base = computeMetrics({ t, equity, initialCash: 10_000, trades: tradeLog(rows) });
          const scaled = computeMetrics({
            t,
            equity: equity.map((e) => e * scale),
            initialCash: 10_000 * scale,
            trades: tradeLog(rows.map((row) => ({ ...row, pnl: row.pnl * scale }))),
          });
          for (const key of scaleFree) {
            if (Number.isFinite(base[key])) expectClose(scaled[key], base[key], 1e-8);
            else expect(scaled[key]).toBe(base[key]);
          }
          expectClose(scaled.finalEquity, base.finalEquity * scale, 1e-12);
        },
      ),
    );
  });

  it('bounds: drawdown in [-1, 0], probabilities and shares in [0, 1], VaR within the returns', () => {
    fc.assert(
      fc.property(returnsArbitrary, (returns) => {
        const { t, equity } = curve(returns, 1);
        const m = computeEquityMetrics(t, equity);
        expect(m.maxDrawdown).toBeLessThanOrEqual(0);
        expect(m.maxDrawdown).toBeGreaterThanOrEqual(-1);
        expect(m.consistencyScore).toBeGreaterThanOrEqual(0);
        expect(m.consistencyScore).toBeLessThanOrEqual(1);
        if (!Number.isNaN(m.probabilisticSharpe)) {
          expect(m.probabilisticSharpe).toBeGreaterThanOrEqual(0);
          expect(m.probabilisticSharpe).toBeLessThanOrEqual(1);
        }
        // The bare curve's returns are returns[1..]: the first value is the starting point.
        const observed = returns.slice(1).map((r) => (1 + r) / 1 - 1);
        expect(m.numPeriods).toBe(observed.length);
        expect(m.valueAtRisk).toBeGreaterThanOrEqual(Math.min(...observed) - 1e-12);
        expect(m.valueAtRisk).toBeLessThanOrEqual(Math.max(...observed) + 1e-12);
      }),
    );
  });

  it('CAGR is the total return compounded to a year, and max drawdown is no shallower than any single loss', () => {
    fc.assert(
      fc.property(returnsArbitrary, (returns) => {
        const { t, equity } = curve(returns, 500);
        const m = computeMetrics({ t, equity, initialCash: 500, trades: noTrades });
        // Forward direction only: inverting CAGR is ill-conditioned when a short losing run annualizes to ~-100%.
        expectClose(m.annualizedReturn, Math.exp((252 / m.numPeriods) * Math.log1p(m.totalReturn)) - 1, 1e-9);
        expect(m.maxDrawdown).toBeLessThanOrEqual(Math.min(0, ...returns) + 1e-12);
        if (!Number.isNaN(m.sharpeRatio)) {
          expect(Math.sign(m.sharpeRatio) * Math.sign(m.sortinoRatio)).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('exposure from trades is the share of bars covered by [entry, exit]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.tuple(fc.nat(39), fc.nat(10)), { maxLength: 8 }),
        (bars, spans) => {
          const rows = spans
            .filter(([entry]) => entry < bars)
            .map(([entry, length]) => ({
              entryIndex: entry,
              exitIndex: Math.min(bars - 1, entry + length),
              pnl: 1,
              returnPct: 0,
            }));
          const covered = new Set<number>();
          for (const row of rows) for (let i = row.entryIndex; i <= row.exitIndex; i++) covered.add(i);
          const t = Float64Array.from({ length: bars }, (_, i) => i * DAY);
          const m = computeMetrics({
            t,
            equity: new Float64Array(bars).fill(1),
            initialCash: 1,
            trades: tradeLog(rows),
          });
          expect(m.exposure).toBeCloseTo(covered.size / bars, 15);
        },
      ),
    );
  });
});

describe("annualisation by the data's own periodicity", () => {
  /** `count` bar times `stepDays` apart from 2020-01-06, a Monday. */
  const spaced = (count: number, stepDays: number): Float64Array =>
    Float64Array.from({ length: count }, (_, i) => utc('2020-01-06') + Math.round(i * stepDays * DAY));

  it.each([
    ['weekday daily', spaced(600, 7 / 5), 252, 'daily'],
    ['every calendar day', spaced(600, 1), 252, 'daily'],
    ['weekly', spaced(200, 7), 52, 'weekly'],
    ['monthly', spaced(60, 365.25 / 12), 12, 'monthly'],
    ['quarterly', spaced(20, 365.25 / 4), 4, 'quarterly'],
    ['yearly', spaced(10, 365.25), 1, 'yearly'],
    ['a single bar', spaced(1, 1), 252, 'too few periods'],
  ] as const)('%s bars: %i periods a year (%s)', (_name, t, periodsPerYear, basis) => {
    expect(annualizationOf(t)).toEqual({ periodsPerYear, basis });
  });

  it('the metrics use the inferred periods a year, and an explicit one wins', () => {
    const t = spaced(40, 7);
    const equity = Float64Array.from(t, (_, i) => 100 * (1 + 0.01 * Math.sin(i)) * 1.002 ** i);
    const weekly = computeEquityMetrics(t, equity);
    const asDaily = computeEquityMetrics(t, equity, { periodsPerYear: 252 });
    expect(weekly.sharpeRatio / asDaily.sharpeRatio).toBeCloseTo(Math.sqrt(52 / 252), 12);
    expect(weekly.annualizedReturn).toBeCloseTo((1 + weekly.totalReturn) ** (52 / 39) - 1, 12);
    expect(annualizationOf(t, { periodsPerYear: 252 })).toEqual({ periodsPerYear: 252, basis: 'given' });
    expect(() => computeEquityMetrics(t, equity, { periodsPerYear: 0 })).toThrow(
      'metrics: periodsPerYear must be a finite number > 0, got 0',
    );
  });
});

describe('the risk-free rate', () => {
  // 300 days of a random walk: returns on both sides of the per-day rate.
  const days = 300;
  const t = new Float64Array(days);
  const equity = new Float64Array(days);
  let seed = 7;
  const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  for (let k = 0, value = 100; k < days; k++) {
    t[k] = Date.UTC(2023, 0, 2) + k * 86_400_000;
    value *= 1 + (random() - 0.48) * 0.02;
    equity[k] = value;
  }

  it('measures Sharpe and Sortino on returns in excess of the rate compounded to one period', () => {
    const base = computeEquityMetrics(t, equity);
    const rate = 0.05;
    const withRate = computeEquityMetrics(t, equity, { riskFreeRate: rate });
    const { returns } = periodSeries(t, equity, periodEndIndices(t));
    const { periodsPerYear } = annualizationOf(t);
    const perPeriod = Math.pow(1 + rate, 1 / periodsPerYear) - 1;
    const n = returns.length;
    let sum = 0;
    for (const r of returns) sum += r;
    const mean = sum / n;
    let squares = 0;
    let downside = 0;
    for (const r of returns) {
      squares += (r - mean) ** 2;
      if (r < perPeriod) downside += (r - perPeriod) ** 2;
    }
    const std = Math.sqrt(squares / (n - 1));
    expect(withRate.sharpeRatio).toBeCloseTo(((mean - perPeriod) / std) * Math.sqrt(periodsPerYear), 10);
    expect(withRate.sortinoRatio).toBeCloseTo(
      ((mean - perPeriod) * periodsPerYear) / (Math.sqrt(downside / n) * Math.sqrt(periodsPerYear)),
      10,
    );
    expect(withRate.sharpeRatio).toBeLessThan(base.sharpeRatio);
    // Nothing else depends on the rate.
    expect({ ...withRate, sharpeRatio: 0, sortinoRatio: 0, probabilisticSharpe: 0 }).toEqual({
      ...base,
      sharpeRatio: 0,
      sortinoRatio: 0,
      probabilisticSharpe: 0,
    });
    expect(computeEquityMetrics(t, equity, { riskFreeRate: 0 })).toEqual(base);
  });
});
