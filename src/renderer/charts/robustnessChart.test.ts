import { describe, expect, it } from 'vitest';
import type { RobustnessPayload } from '../../shared/contract.ts';
import { robustnessChartOption } from './robustnessChart.ts';

const bands = (values: number[]) => [0, 1, 2, 3, 4].map((b) => values.map((v) => v * (1 + b / 10)));

describe('robustnessChartOption', () => {
  it('draws the drawdown band step by step under the equity band, deepest percentile lowest', () => {
    const result: RobustnessPayload = {
      method: 'block-bootstrap',
      resamples: 100,
      seed: 1,
      percentiles: [0.05, 0.25, 0.5, 0.75, 0.95],
      equityBands: bands([1, 1.1, 1.05]),
      // Signed as maxDrawdown, the p95 band the most negative.
      drawdownBands: bands([0, 0, -0.1]),
      maxDrawdownBands: [-0.05, -0.08, -0.1, -0.12, -0.2],
      probDrawdownBeyond: 0.1,
      probRuin: 0,
      drawdownDepth: 0.2,
      ruinFloor: 0.5,
    };
    const series = robustnessChartOption(result).series as {
      name: string;
      data: number[];
      xAxisIndex: number;
    }[];
    const lower = series.filter((s) => s.xAxisIndex === 1);
    expect(lower.map((s) => s.name)).toEqual(['drawdown p95 worst', 'p5 to p95', 'drawdown p50']);
    // Below zero: p95 is the deepest edge, the stacked area reaches up to p5, the median in between.
    const near = (values: number[], expected: number[]) =>
      expected.forEach((e, i) => expect(values[i]).toBeCloseTo(e, 12));
    near(lower[0]!.data, [0, 0, -0.14]);
    near(
      lower[0]!.data.map((v, i) => v + lower[1]!.data[i]!),
      [0, 0, -0.1],
    );
    near(lower[2]!.data, [0, 0, -0.12]);
    expect(series.filter((s) => s.xAxisIndex === 0).map((s) => s.name)).toEqual(['p5', 'p5 to p95', 'p50']);
  });
});
