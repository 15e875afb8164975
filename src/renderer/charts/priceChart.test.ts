import { describe, expect, it } from 'vitest';
import type { BacktestResult, BarsPayload } from '../../shared/contract.ts';
import { timeFormat } from '../../shared/timeZone.ts';
import { priceChartOption } from './priceChart.ts';
import { alignIndicators, entryReason } from './indicatorSeries.ts';

const HOUR = 3_600_000;
const n = 40;
const bars: BarsPayload = {
  symbol: 'DEMO',
  timeframe: '1h',
  t: Array.from({ length: n }, (_, i) => i * HOUR),
  o: Array.from({ length: n }, (_, i) => 100 + i),
  h: Array.from({ length: n }, (_, i) => 101 + i),
  l: Array.from({ length: n }, (_, i) => 99 + i),
  c: Array.from({ length: n }, (_, i) => 100.5 + i),
  v: Array.from({ length: n }, () => 1000),
};
const trade: BacktestResult['trades'][number] = {
  entryTime: 10 * HOUR,
  exitTime: 20 * HOUR,
  entryPrice: 110,
  exitPrice: 120,
  size: 5,
  pnl: 50,
  returnPct: 0.09,
  exitReason: 'TakeProfit',
  stopLoss: 105,
  takeProfit: 120,
  signals: ['SMA cross', 'MACD'],
  confidence: 0.55,
};
// A run over bars 5.. of the chart, thinned to every other bar, with a warm-up until bar 12.
const runT = Array.from({ length: 35 }, (_, k) => (5 + k) * HOUR).filter((_, k) => k % 2 === 0);
const indicators: BacktestResult['indicators'] = {
  t: runT,
  plots: [
    { label: 'SMA 3', pane: 'price', style: 'line', values: runT.map((t) => t / HOUR), levels: [] },
    { label: 'MACD', pane: 'MACD', style: 'line', values: runT.map(() => 1), levels: [] },
    { label: 'histogram', pane: 'MACD', style: 'histogram', values: runT.map(() => 0.5), levels: [] },
    { label: 'MFI 14', pane: 'MFI', style: 'line', values: runT.map(() => null), levels: [20, 80] },
  ],
};
const overlay = {
  indicators,
  range: { first: 5 * HOUR, tradingFrom: 12 * HOUR, last: 39 * HOUR },
  logScale: true,
};

interface Series {
  name?: string;
  type: string;
  xAxisIndex?: number;
  yAxisIndex?: number;
  data: unknown[];
  markLine?: { data: unknown[] };
  markArea?: { data: Array<Array<{ xAxis: number; name?: string }>> };
}

describe('the price chart of a backtest', () => {
  const option = priceChartOption(bars, [trade], timeFormat('UTC'), [], overlay) as {
    series: Series[];
    grid: unknown[];
    yAxis: Array<{ type?: string; gridIndex?: number }>;
    dataZoom: Array<{ xAxisIndex: number[] }>;
  };
  const byName = new Map(option.series.map((s) => [s.name, s]));

  it('overlays price plots and gives every other pane its own grid, zoomed with the rest', () => {
    expect(option.grid).toHaveLength(4);
    expect(byName.get('SMA 3')).toMatchObject({ type: 'line', xAxisIndex: 0, yAxisIndex: 0 });
    expect(byName.get('MACD')).toMatchObject({ type: 'line', xAxisIndex: 2, yAxisIndex: 2 });
    expect(byName.get('histogram')).toMatchObject({ type: 'bar', xAxisIndex: 2, yAxisIndex: 2 });
    expect(byName.get('MFI 14')).toMatchObject({ xAxisIndex: 3, yAxisIndex: 3 });
    expect(byName.get('MFI 14')?.markLine?.data).toEqual([{ yAxis: 20 }, { yAxis: 80 }]);
    expect(option.dataZoom.every((z) => z.xAxisIndex.join() === '0,1,2,3')).toBe(true);
  });

  it("places the run's values on the chart's bars by time (null where the run has none)", () => {
    const sma = byName.get('SMA 3')!.data;
    expect(sma).toHaveLength(n);
    expect(sma.slice(0, 8)).toEqual([null, null, null, null, null, 5, null, 7]);
    expect(alignIndicators(bars, indicators)[0]?.values[39]).toBe(39);
  });

  it('log scale, the warm-up shaded, the stop and target dotted over the trade', () => {
    expect(option.yAxis[0]?.type).toBe('log');
    const candles = byName.get('DEMO')!;
    const warmUp = candles.markArea!.data.find((area) => area[0]?.name === 'warm-up');
    expect(warmUp?.map((end) => end.xAxis)).toEqual([5, 12]);
    const levels = (candles.markLine!.data as Array<Array<{ coord: [number, number] }>>).map((line) =>
      line.map((end) => end.coord),
    );
    expect(levels).toEqual([
      [
        [10, 110],
        [20, 120],
      ],
      [
        [10, 105],
        [20, 105],
      ],
      [
        [10, 120],
        [20, 120],
      ],
    ]);
  });

  it('says why a trade entered', () => {
    expect(entryReason(trade)).toBe('SMA cross, MACD · 55.00%');
    expect(entryReason({ ...trade, signals: ['fast SMA crossed above slow'], confidence: null })).toBe(
      'fast SMA crossed above slow',
    );
  });
});
