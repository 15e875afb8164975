import type { RobustnessPayload } from '../../shared/contract.ts';
import { formatPercent } from '../format.ts';
import type { ChartOption } from './echarts.ts';
import { axisLabel, axisLine, baseOption, palette, splitLine, tooltipBase } from './theme.ts';

/** The band's edges and middle, as indices into BAND_PERCENTILES' order (5, 25, 50, 75, 95). */
const P5 = 0;
const P50 = 2;
const P95 = 4;

const percentLabel = (p: number): string => `p${Math.round(p * 100)}`;

/**
 * Monte Carlo bands: equity (starting at 1) per step, p5 to p95 shaded around the median, on top; the
 * maximum drawdown at each percentile underneath (the core reports drawdown as one figure per resample).
 */
export function robustnessChartOption(result: RobustnessPayload): ChartOption {
  const low = result.equityBands[P5] ?? [];
  const mid = result.equityBands[P50] ?? [];
  const high = result.equityBands[P95] ?? [];
  const steps = mid.map((_, i) => String(i));
  const percentiles = result.percentiles.map(percentLabel);
  return {
    ...baseOption(),
    tooltip: { ...tooltipBase, trigger: 'axis' },
    grid: [
      { left: 48, right: 12, top: 10, height: '55%' },
      { left: 48, right: 12, top: '72%', bottom: 22 },
    ],
    xAxis: [
      { type: 'category', data: steps, boundaryGap: false, axisLabel, axisLine, gridIndex: 0 },
      { type: 'category', data: percentiles, axisLabel, axisLine, gridIndex: 1 },
    ],
    yAxis: [
      { type: 'value', scale: true, axisLabel, splitLine, gridIndex: 0 },
      {
        type: 'value',
        axisLabel: { ...axisLabel, formatter: (v: number) => formatPercent(v, 0) },
        splitLine,
        gridIndex: 1,
      },
    ],
    series: [
      // The shaded band is p5 plus a stacked (p95 - p5) area on top of it.
      {
        name: percentLabel(result.percentiles[P5] ?? 0.05),
        type: 'line',
        data: low,
        stack: 'band',
        showSymbol: false,
        lineStyle: { color: palette.muted, width: 1 },
        itemStyle: { color: palette.muted },
      },
      {
        name: 'p5 to p95',
        type: 'line',
        data: high.map((v, i) => v - (low[i] ?? 0)),
        stack: 'band',
        showSymbol: false,
        lineStyle: { width: 0 },
        areaStyle: { color: 'rgba(78, 161, 255, 0.18)' },
        tooltip: { show: false },
      },
      {
        name: percentLabel(result.percentiles[P50] ?? 0.5),
        type: 'line',
        data: mid,
        showSymbol: false,
        lineStyle: { color: palette.equity, width: 1.4 },
        itemStyle: { color: palette.equity },
      },
      {
        name: 'Max drawdown',
        type: 'bar',
        xAxisIndex: 1,
        yAxisIndex: 1,
        data: result.maxDrawdownBands.map((d) => -d),
        itemStyle: { color: palette.down },
      },
    ],
  };
}
