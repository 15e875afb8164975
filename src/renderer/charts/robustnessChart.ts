import type { LineSeriesOption } from 'echarts/charts';
import type { RobustnessPayload } from '../../shared/contract.ts';
import { worstPercentilesLabel } from '../../shared/robustnessText.ts';
import { formatPercent } from '../format.ts';
import type { ChartOption } from './echarts.ts';
import { axisLabel, axisLine, baseOption, palette, splitLine, tooltipBase } from './theme.ts';

/** The band's edges and middle, as indices into BAND_PERCENTILES' order (5, 25, 50, 75, 95). */
const P5 = 0;
const P50 = 2;
const P95 = 4;

const percentLabel = (p: number): string => `p${Math.round(p * 100)}`;

/**
 * A shaded band from `low` to `high` with `mid` drawn over it, on one grid: `low` plus a stacked
 * (high - low) area on top of it, as ECharts draws a band.
 */
function bandSeries(
  pane: number,
  names: { low: string; mid: string },
  low: readonly number[],
  mid: readonly number[],
  high: readonly number[],
  colors: { line: string; area: string },
): LineSeriesOption[] {
  const axes = { xAxisIndex: pane, yAxisIndex: pane };
  const stack = `band${pane}`;
  return [
    {
      name: names.low,
      type: 'line',
      ...axes,
      data: [...low],
      stack,
      showSymbol: false,
      lineStyle: { color: palette.muted, width: 1 },
      itemStyle: { color: palette.muted },
    },
    {
      name: 'p5 to p95',
      type: 'line',
      ...axes,
      data: high.map((v, i) => v - (low[i] ?? 0)),
      stack,
      showSymbol: false,
      lineStyle: { width: 0 },
      areaStyle: { color: colors.area },
      tooltip: { show: false },
    },
    {
      name: names.mid,
      type: 'line',
      ...axes,
      data: [...mid],
      showSymbol: false,
      lineStyle: { color: colors.line, width: 1.4 },
      itemStyle: { color: colors.line },
    },
  ];
}

/**
 * Monte Carlo bands over the same steps: equity (starting at 1), p5 to p95 shaded around the median, on
 * top; underneath, the drawdown from each resample's running peak at each step (signed, so below zero),
 * p5 to p95 worst shaded around the median, so the deep part of the band shows when in the run it is
 * likely.
 */
export function robustnessChartOption(result: RobustnessPayload): ChartOption {
  const equity = result.equityBands;
  const steps = (equity[P50] ?? []).map((_, i) => String(i));
  const low = percentLabel(result.percentiles[P5] ?? 0.05);
  const mid = percentLabel(result.percentiles[P50] ?? 0.5);
  // Signed drawdowns (below zero): the 95th-percentile worst is the band's lower edge.
  const fall = (b: number): number[] => [...(result.drawdownBands[b] ?? [])];
  return {
    ...baseOption(),
    tooltip: { ...tooltipBase, trigger: 'axis' },
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    grid: [
      { left: 48, right: 12, top: 10, height: '52%' },
      { left: 48, right: 12, top: '68%', bottom: 22 },
    ],
    xAxis: [0, 1].map((gridIndex) => ({
      type: 'category' as const,
      data: steps,
      boundaryGap: false,
      axisLabel: { ...axisLabel, show: gridIndex === 1 },
      axisLine,
      gridIndex,
    })),
    yAxis: [
      { type: 'value', scale: true, axisLabel, splitLine, gridIndex: 0 },
      {
        type: 'value',
        max: 0,
        axisLabel: { ...axisLabel, formatter: (v: number) => formatPercent(v, 0) },
        splitLine,
        gridIndex: 1,
      },
    ],
    series: [
      ...bandSeries(0, { low, mid }, equity[P5] ?? [], equity[P50] ?? [], equity[P95] ?? [], {
        line: palette.equity,
        area: 'rgba(78, 161, 255, 0.18)',
      }),
      ...bandSeries(
        1,
        {
          low: `drawdown ${worstPercentilesLabel([result.percentiles[P95] ?? 0.95])}`,
          mid: `drawdown ${mid}`,
        },
        fall(P95),
        fall(P50),
        fall(P5),
        {
          line: palette.down,
          area: 'rgba(239, 83, 80, 0.22)',
        },
      ),
    ],
  };
}
