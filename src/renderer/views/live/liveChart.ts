import type { LiveExpectationView } from '../../../shared/contract.ts';
import type { ChartOption } from '../../charts/echarts.ts';
import { axisLabel, axisLine, baseOption, compactNumber, palette, splitLine } from '../../charts/theme.ts';

/** Live equity over the shadow backtest's expected equity and its band, on one time axis. */
export function liveEquityOption(expectation: LiveExpectationView): ChartOption {
  const points = expectation.equity;
  const at = (value: (p: (typeof points)[number]) => number) => points.map((p) => [p.time, value(p)]);
  return {
    ...baseOption(),
    grid: { left: 56, right: 16, top: 12, bottom: 28 },
    xAxis: { type: 'time', axisLabel, axisLine, splitLine: { show: false } },
    yAxis: {
      type: 'value',
      scale: true,
      axisLabel: { ...axisLabel, formatter: (v: number) => compactNumber(v) },
      splitLine,
    },
    series: [
      // The band as a stacked area: the low edge invisible, the width on top of it.
      {
        name: 'band low',
        type: 'line',
        data: at((p) => p.low),
        stack: 'band',
        showSymbol: false,
        lineStyle: { opacity: 0 },
        tooltip: { show: false },
      },
      {
        name: 'Expected band',
        type: 'line',
        data: at((p) => p.high - p.low),
        stack: 'band',
        showSymbol: false,
        lineStyle: { opacity: 0 },
        areaStyle: { color: palette.grid, opacity: 0.6 },
      },
      {
        name: 'Expected',
        type: 'line',
        data: at((p) => p.expected),
        showSymbol: false,
        lineStyle: { color: palette.muted, type: 'dashed', width: 1 },
      },
      {
        name: 'Live',
        type: 'line',
        data: at((p) => p.live),
        showSymbol: false,
        lineStyle: { color: palette.equity, width: 1.6 },
      },
    ],
  } as ChartOption;
}
