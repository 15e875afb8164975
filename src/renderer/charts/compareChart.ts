import type { ComparedPin } from '../../shared/contract.ts';
import type { TimeFormat } from '../../shared/timeZone.ts';
import { formatMoney } from '../format.ts';
import type { ChartOption } from './echarts.ts';
import { axisLabel, axisLine, compactNumber, palette, splitLine } from './theme.ts';

/** One colour per pin column, in pin order (the table's headers carry the same colours). */
export const PIN_COLOURS = [
  '#4ea1ff',
  '#f0b90b',
  '#26a69a',
  '#ef5350',
  '#ab47bc',
  '#ff8a65',
  '#9ccc65',
  '#90a4ae',
];

/**
 * Each pinned curve rescaled to start at `capital`, on a time axis: pins on other symbols or dates keep
 * their own dates rather than being stretched onto one bar index. A log scale compares growth rates.
 */
export function compareChartOption(
  pins: readonly ComparedPin[],
  capital: number,
  logScale: boolean,
  time: TimeFormat,
): ChartOption {
  const series = pins.flatMap((pin, i) => {
    if (!pin.result.ok) return [];
    const { t, value } = pin.result.equity;
    const first = value[0] ?? 0;
    const scale = first > 0 ? capital / first : 1;
    return [
      {
        name: pin.label,
        type: 'line' as const,
        data: t.map((at, k) => [at, (value[k] ?? 0) * scale]),
        showSymbol: false,
        sampling: 'lttb' as const,
        lineStyle: { color: PIN_COLOURS[i % PIN_COLOURS.length], width: 1.4 },
        itemStyle: { color: PIN_COLOURS[i % PIN_COLOURS.length] },
      },
    ];
  });
  return {
    animation: false,
    grid: { left: 64, right: 16, top: 12, bottom: 28 },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v) => formatMoney(typeof v === 'number' ? v : null),
    },
    xAxis: {
      type: 'time',
      axisLabel: { ...axisLabel, formatter: (at: number) => time.date(at) },
      axisLine,
      splitLine: { show: false },
    },
    yAxis: {
      type: logScale ? 'log' : 'value',
      scale: true,
      axisLabel: { ...axisLabel, formatter: (v: number) => compactNumber(v) },
      axisLine,
      splitLine,
    },
    series,
    color: [palette.equity],
  };
}
