import type { ChartOption } from './echarts.ts';
import { axisLabel, axisLine, baseOption, monoFont, palette, splitLine, tooltipBase } from './theme.ts';

/** A chart of two panes over one time axis: price over volume, equity over drawdown. */
export interface TimePanes {
  /** One label per bar, shared by both panes. */
  labels: string[];
  /** Candles and bars sit between ticks (true); a line starts on the first tick (false). */
  boundaryGap: boolean;
  /** The axis pointer: a crosshair or a vertical line. */
  pointer: 'cross' | 'line';
  /** Height of the upper pane, where the lower one starts, and the room left under it. */
  layout: { upperHeight: string; lowerTop: string; bottom: number };
  upperValue: (value: number) => string;
  lowerValue: (value: number) => string;
  /** A fixed top for the lower pane's scale (0 for a drawdown). */
  lowerMax?: number;
  /** The time labels under the lower pane; the full label by default. */
  timeLabel?: (label: string) => string;
  /** The tooltip body for the bar at `index`. */
  tooltip: (index: number) => string;
}

/** Everything but the series: panes, linked axis pointer, axis tooltip, value scales on the right. */
export function timePanesOption(panes: TimePanes): ChartOption {
  const { labels, boundaryGap } = panes;
  const tooltipFormatter = (raw: unknown): string => {
    const items = Array.isArray(raw) ? raw : [raw];
    const first = items[0] as { dataIndex?: number } | undefined;
    const i = first?.dataIndex ?? -1;
    if (i < 0 || i >= labels.length) return '';
    return panes.tooltip(i);
  };
  const timeAxis = {
    type: 'category' as const,
    data: labels,
    boundaryGap,
    axisLine,
    axisTick: { show: false },
    splitLine: { show: false },
  };
  return {
    ...baseOption(),
    axisPointer: {
      link: [{ xAxisIndex: 'all' }],
      label: { backgroundColor: '#2a333e', fontFamily: monoFont },
    },
    tooltip: {
      ...tooltipBase,
      trigger: 'axis',
      axisPointer: { type: panes.pointer, lineStyle: { color: palette.muted, type: 'dashed' } },
      formatter: tooltipFormatter,
    },
    // Both panes at exactly these insets: by default ECharts 6 shrinks a grid to keep its axis labels
    // inside, and only the lower pane has time labels, so its x axis was narrower and the crosshair fell
    // on different bars above and below. The end labels are aligned inwards instead.
    grid: [
      { left: 8, right: 64, top: 10, height: panes.layout.upperHeight, outerBoundsMode: 'none' },
      {
        left: 8,
        right: 64,
        top: panes.layout.lowerTop,
        bottom: panes.layout.bottom,
        outerBoundsMode: 'none',
      },
    ],
    xAxis: [
      { ...timeAxis, axisLabel: { show: false }, axisPointer: { label: { show: false } } },
      {
        ...timeAxis,
        gridIndex: 1,
        axisLabel: {
          ...axisLabel,
          hideOverlap: true,
          alignMinLabel: 'left',
          alignMaxLabel: 'right',
          ...(panes.timeLabel ? { formatter: panes.timeLabel } : {}),
        },
      },
    ],
    yAxis: [
      {
        scale: true,
        position: 'right',
        axisLine,
        axisLabel: { ...axisLabel, formatter: panes.upperValue },
        splitLine,
      },
      {
        gridIndex: 1,
        position: 'right',
        ...(panes.lowerMax === undefined ? {} : { max: panes.lowerMax }),
        splitNumber: 2,
        axisLine,
        axisLabel: { ...axisLabel, formatter: panes.lowerValue },
        splitLine,
      },
    ],
  };
}

/** The tooltip body of one bar: its time, then its lines. */
export function barTooltip(title: string, lines: readonly string[]): string {
  return `<div class="tt-title">${title}</div>${lines.join('')}`;
}
