import type { WalkForwardResult } from '../../shared/contract.ts';
import type { TimeFormat } from '../../shared/timeZone.ts';
import { formatPercent } from '../format.ts';
import type { ChartOption } from './echarts.ts';
import { axisLabel, axisLine, baseOption, palette, splitLine, tooltipBase } from './theme.ts';

export const IN_SAMPLE_SERIES = 'In sample (stitched)';
export const OUT_OF_SAMPLE_SERIES = 'Out of sample (stitched)';

type Curve = WalkForwardResult['equity'];

/**
 * A curve's [time, growth] points, divided by its value at `at` (or at its first point after `at`), so
 * both curves read 1 where the out-of-sample part begins and their slopes compare over the same dates.
 */
function rebased(curve: Curve, at: number): [number, number][] {
  let base = curve.value[0] ?? 1;
  for (let i = curve.t.length - 1; i >= 0; i--) {
    if (curve.t[i]! <= at) {
      base = curve.value[i]!;
      break;
    }
  }
  return curve.t.map((t, i) => [t, curve.value[i]! / base]);
}

/**
 * The stitched out-of-sample equity against the stitched in-sample one on one time axis, each window's
 * test start marked. The in-sample curve is each winner on the bars it was newly fitted on, so over the
 * same dates the two lines are the same parameters' results seen from before (out of sample) and from
 * after (in sample); where the in-sample line climbs away from the other, the fit did not carry forward.
 */
export function walkForwardChartOption(
  result: Pick<WalkForwardResult, 'windows' | 'equity' | 'inSampleEquity'>,
  time: TimeFormat,
): ChartOption {
  const first = result.windows[0]?.test.startTime ?? result.equity.t[0] ?? 0;
  const inSample = rebased(result.inSampleEquity, first);
  const outOfSample = rebased(result.equity, first);
  return {
    ...baseOption(),
    tooltip: {
      ...tooltipBase,
      trigger: 'axis',
      valueFormatter: (v) => (typeof v === 'number' ? formatPercent(v - 1) : String(v)),
    },
    grid: { left: 52, right: 14, top: 14, bottom: 24 },
    xAxis: {
      type: 'time',
      axisLabel: { ...axisLabel, formatter: (t: number) => time.date(t) },
      axisLine,
    },
    yAxis: {
      type: 'value',
      scale: true,
      axisLabel: { ...axisLabel, formatter: (v: number) => formatPercent(v - 1, 0) },
      splitLine,
    },
    series: [
      {
        name: IN_SAMPLE_SERIES,
        type: 'line',
        data: inSample,
        showSymbol: false,
        lineStyle: { color: palette.muted, width: 1.2, type: 'dashed' },
        itemStyle: { color: palette.muted },
      },
      {
        name: OUT_OF_SAMPLE_SERIES,
        type: 'line',
        data: outOfSample,
        showSymbol: false,
        lineStyle: { color: palette.equity, width: 1.5 },
        itemStyle: { color: palette.equity },
        markLine: {
          silent: true,
          symbol: ['none', 'none'],
          lineStyle: { color: palette.axis, type: 'dotted', width: 1 },
          label: { color: palette.muted, fontSize: 9, formatter: (p) => p.name ?? '' },
          data: result.windows.map((w) => ({ name: `w${w.index + 1}`, xAxis: w.test.startTime })),
        },
      },
    ],
  };
}
