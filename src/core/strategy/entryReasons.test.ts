import { describe, expect, it } from 'vitest';
import { prepareDataset, runBacktest, strategyPlots } from '../engine/backtest.ts';
import { randomWalkBars } from '../engine/random-walk.ts';
import { tradeRecords } from '../engine/trade-log.ts';
import { bollinger } from '../indicators/dispersion.ts';
import { ema, macd, macdLine, sma } from '../indicators/moving-average.ts';
import { mfi } from '../indicators/oscillators.ts';
import { atr } from '../indicators/range.ts';
import { volumeRatio } from '../indicators/volume.ts';
import { defaultParams, entrySignalNames } from '../strategy-api/params.ts';
import {
  CONFLUENCE_ATR_PERIOD,
  CONFLUENCE_MFI_PERIOD,
  CONFLUENCE_REWARD_RISK,
  CONFLUENCE_STOP_ATR,
  CONFLUENCE_WEIGHTS,
  confluence,
} from './confluence.ts';
import { smaCross } from './sma-cross.ts';

/** Confluence's defaults, spelled out so the test reads each by name. */
const CONFLUENCE_DEFAULTS = {
  fast_ma_period: 10,
  slow_ma_period: 30,
  risk_per_trade: 0.02,
  confidence_threshold: 0.6,
  volume_threshold: 1.5,
  mfi_oversold: 20,
  mfi_overbought: 80,
  macd_fast: 12,
  macd_slow: 26,
  macd_signal: 9,
  bb_period: 20,
  bb_std: 2,
};

const bars = randomWalkBars(4000, 21, { volatility: 0.01, gapProbability: 0.02 });
const n = bars.c.length;
const series = (fill: (out: Float64Array) => void): Float64Array => {
  const out = new Float64Array(n);
  fill(out);
  return out;
};
/** Equal bar for bar, warm-up (NaN) included. */
const expectSeries = (actual: Float64Array | undefined, expected: Float64Array): void => {
  expect(actual).toBeDefined();
  expect(Array.from(actual!)).toEqual(Array.from(expected));
};

describe("a strategy's plots are the series it decides on", () => {
  it('sma-cross: its two SMAs on price; it trades from the slow one', () => {
    const params = { fast: 7, slow: 31 };
    const { plots, startIndex } = strategyPlots(prepareDataset(bars), smaCross, params);
    expect(plots.map((p) => [p.label, p.pane])).toEqual([
      ['SMA 7', 'price'],
      ['SMA 31', 'price'],
    ]);
    expectSeries(
      plots[0]?.values,
      series((out) => sma(bars.c, 7, out)),
    );
    expectSeries(
      plots[1]?.values,
      series((out) => sma(bars.c, 31, out)),
    );
    expect(startIndex).toBe(31);
  });

  it('confluence: SMAs and Bollinger bands on price, MACD and MFI in panes of their own', () => {
    const p = { ...CONFLUENCE_DEFAULTS, bb_std: 2.3, bb_period: 17 };
    const { plots } = strategyPlots(prepareDataset(bars), confluence, p);
    const byLabel = new Map(plots.map((plot) => [plot.label, plot]));
    const [upper, middle, lower] = [series(() => {}), series(() => {}), series(() => {})];
    bollinger(bars.c, 17, 2.3, upper, middle, lower);
    const [line, signal, histogram] = [series(() => {}), series(() => {}), series(() => {})];
    macd(bars.c, p.macd_fast, p.macd_slow, p.macd_signal, line, signal, histogram);
    expectSeries(
      byLabel.get(`SMA ${p.fast_ma_period}`)?.values,
      series((o) => sma(bars.c, p.fast_ma_period, o)),
    );
    expectSeries(
      byLabel.get(`SMA ${p.slow_ma_period}`)?.values,
      series((o) => sma(bars.c, p.slow_ma_period, o)),
    );
    expectSeries(byLabel.get('BB 17 middle')?.values, middle);
    for (const [label, expected] of [
      ['BB 17 upper', upper],
      ['BB 17 lower', lower],
      ['histogram', histogram],
    ] as const) {
      const actual = byLabel.get(label)!.values;
      for (let i = 0; i < n; i++) {
        if (Number.isNaN(expected[i]!)) expect(actual[i]).toBeNaN();
        else expect(actual[i]).toBeCloseTo(expected[i]!, 9);
      }
    }
    // TA-Lib's MACD blanks its line until the signal is warm; the strategy compares the line from its own
    // warm-up, and that is what is drawn.
    const ownLine = series((o) => macdLine(bars.c, p.macd_fast, p.macd_slow, o));
    expectSeries(byLabel.get('MACD')?.values, ownLine);
    expectSeries(
      byLabel.get('signal')?.values,
      series((o) => ema(ownLine, p.macd_signal, o)),
    );
    expect(Array.from(signal)).toEqual(Array.from(byLabel.get('signal')!.values));
    expect(byLabel.get('MACD')?.pane).toBe(byLabel.get('histogram')?.pane);
    expect(byLabel.get('MACD')?.pane).not.toBe('price');
    const flow = byLabel.get(`MFI ${CONFLUENCE_MFI_PERIOD}`);
    expectSeries(
      flow?.values,
      series((o) => mfi(bars.h, bars.l, bars.c, bars.v, CONFLUENCE_MFI_PERIOD, o)),
    );
    expect(flow?.pane).toBe('MFI');
    expect(flow?.levels).toEqual([p.mfi_oversold, p.mfi_overbought]);
    expect(byLabel.get('BB 17 upper')?.pane).toBe('price');
  });
});

describe('each trade records why it entered and the exits it was opened with', () => {
  it('confluence: the confirming signals, their weighted score and the ATR stop and target', () => {
    const p = { ...CONFLUENCE_DEFAULTS, confidence_threshold: 0.45, volume_threshold: 1.1 };
    const run = runBacktest(bars, confluence, p);
    const trades = tradeRecords(run.trades);
    expect(trades.length).toBeGreaterThan(5);
    // The conditions re-evaluated from independent kernels at each signal bar (the close before the fill).
    const fast = series((o) => sma(bars.c, p.fast_ma_period, o));
    const [line, signal, histogram] = [series(() => {}), series(() => {}), series(() => {})];
    macd(bars.c, p.macd_fast, p.macd_slow, p.macd_signal, line, signal, histogram);
    const volume = series((o) => volumeRatio(bars.v, p.slow_ma_period, o));
    const flow = series((o) => mfi(bars.h, bars.l, bars.c, bars.v, CONFLUENCE_MFI_PERIOD, o));
    const [upper, middle, lower] = [series(() => {}), series(() => {}), series(() => {})];
    bollinger(bars.c, p.bb_period, p.bb_std, upper, middle, lower);
    const range = series((o) => atr(bars.h, bars.l, bars.c, CONFLUENCE_ATR_PERIOD, o));
    const slow = series((o) => sma(bars.c, p.slow_ma_period, o));
    const seen = new Set<string>();
    for (const trade of trades) {
      const s = trade.entryIndex - 1;
      expect(fast[s]).toBeGreaterThan(slow[s]!);
      const checks: Array<[string, boolean, number]> = [
        ['MACD', line[s]! > signal[s]!, CONFLUENCE_WEIGHTS.macd],
        ['volume', volume[s]! >= p.volume_threshold, CONFLUENCE_WEIGHTS.volume],
        ['MFI', flow[s]! > p.mfi_oversold && flow[s]! < p.mfi_overbought, CONFLUENCE_WEIGHTS.mfi],
        ['Bollinger', bars.c[s]! > middle[s]! && bars.c[s]! <= upper[s]!, CONFLUENCE_WEIGHTS.bollinger],
      ];
      const expected = ['SMA cross', ...checks.filter(([, ok]) => ok).map(([name]) => name)];
      const score = checks.reduce((sum, [, ok, weight]) => (ok ? sum + weight : sum), 0);
      expect(entrySignalNames(confluence, trade.entrySignals)).toEqual(expected);
      expect(trade.entryConfidence).toBeCloseTo(score / 100, 12);
      expect(trade.entryConfidence).toBeGreaterThanOrEqual(p.confidence_threshold - 1e-9);
      const distance = CONFLUENCE_STOP_ATR * range[s]!;
      expect(trade.stopLoss).toBeCloseTo(trade.entryPrice - distance, 9);
      expect(trade.takeProfit).toBeCloseTo(trade.entryPrice + CONFLUENCE_REWARD_RISK * distance, 9);
      expected.forEach((name) => seen.add(name));
    }
    // Every confirmation occurs somewhere, so the comparison above covered each bit.
    expect([...seen].sort()).toEqual(['Bollinger', 'MACD', 'MFI', 'SMA cross', 'volume']);
  });

  it("the defaults above are confluence's", () => {
    expect(defaultParams(confluence)).toEqual(CONFLUENCE_DEFAULTS);
  });

  it('sma-cross: the cross that fired, no score, no stop or target', () => {
    const run = runBacktest(bars, smaCross, { fast: 10, slow: 30 });
    const trades = tradeRecords(run.trades);
    expect(trades.length).toBeGreaterThan(10);
    for (const trade of trades) {
      expect(entrySignalNames(smaCross, trade.entrySignals)).toEqual([
        trade.size > 0 ? 'fast SMA crossed above slow' : 'fast SMA crossed below slow',
      ]);
      expect(trade.entryConfidence).toBeNaN();
      expect(trade.stopLoss).toBeNaN();
      expect(trade.takeProfit).toBeNaN();
    }
  });

  it('what an entry records does not depend on later bars (no look-ahead)', () => {
    const p = { ...CONFLUENCE_DEFAULTS, confidence_threshold: 0.45, volume_threshold: 1.1 };
    const full = tradeRecords(runBacktest(bars, confluence, p).trades);
    const cut = 2500;
    const head = { ...bars, t: bars.t.slice(0, cut), o: bars.o.slice(0, cut), h: bars.h.slice(0, cut) };
    const truncated = tradeRecords(
      runBacktest(
        { ...head, l: bars.l.slice(0, cut), c: bars.c.slice(0, cut), v: bars.v.slice(0, cut) },
        confluence,
        p,
      ).trades,
    );
    const facts = (t: (typeof full)[number]) => [
      t.entryIndex,
      t.stopLoss,
      t.takeProfit,
      t.entrySignals,
      t.entryConfidence,
    ];
    const closedBefore = full.filter((t) => t.exitIndex < cut - 1);
    expect(closedBefore.length).toBeGreaterThan(3);
    expect(truncated.slice(0, closedBefore.length).map(facts)).toEqual(closedBefore.map(facts));
  });
});
