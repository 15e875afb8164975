import { describe, expect, it } from 'vitest';
import type { WalkForwardWindowRow } from '../../shared/optimizeContract.ts';
import { timeFormat } from '../../shared/timeZone.ts';
import { IN_SAMPLE_SERIES, OUT_OF_SAMPLE_SERIES, walkForwardChartOption } from './walkForwardChart.ts';

const DAY = 86_400_000;
const range = (start: number, end: number) => ({ start, end, startTime: start * DAY, endTime: end * DAY });
const window = (index: number, trainStart: number, testStart: number): WalkForwardWindowRow => ({
  index,
  train: range(trainStart, testStart),
  test: range(testStart, testStart + 10),
  params: { fast: 5 + index },
  inSample: {},
  outOfSample: {},
});
const days = (from: number, to: number): number[] =>
  Array.from({ length: to - from }, (_, i) => (from + i) * DAY);

describe('walkForwardChartOption', () => {
  it('draws both stitched curves rebased to 1 where the out of sample begins, each test start marked', () => {
    const windows = [window(0, 0, 20), window(1, 10, 30), window(2, 20, 40)];
    const isT = days(0, 40);
    const oosT = days(20, 50);
    const option = walkForwardChartOption(
      {
        windows,
        inSampleEquity: { t: isT, value: isT.map((_, i) => 1000 * 1.01 ** i) },
        equity: { t: oosT, value: oosT.map((_, i) => 500 + i) },
      },
      timeFormat('UTC'),
    );
    const series = option.series as { name: string; data: [number, number][]; markLine?: unknown }[];
    expect(series.map((s) => s.name)).toEqual([IN_SAMPLE_SERIES, OUT_OF_SAMPLE_SERIES]);
    const [inSample, outOfSample] = series;
    expect(inSample!.data.map(([t]) => t)).toEqual(isT);
    expect(inSample!.data[20]![1]).toBeCloseTo(1, 12);
    expect(inSample!.data[39]![1]).toBeCloseTo(1.01 ** 19, 12);
    expect(inSample!.data[0]![1]).toBeCloseTo(1.01 ** -20, 12);
    expect(outOfSample!.data[0]).toEqual([20 * DAY, 1]);
    expect(outOfSample!.data[29]![1]).toBeCloseTo(529 / 500, 12);
    const marks = (outOfSample!.markLine as { data: { name: string; xAxis: number }[] }).data;
    expect(marks).toEqual([
      { name: 'w1', xAxis: 20 * DAY },
      { name: 'w2', xAxis: 30 * DAY },
      { name: 'w3', xAxis: 40 * DAY },
    ]);
  });
});
