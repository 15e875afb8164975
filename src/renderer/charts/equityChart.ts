import type { BacktestResult } from '../../shared/contract.ts';
import { formatBarTime, formatMoney, formatPercent } from '../format.ts';
import type { ChartOption } from './echarts.ts';
import { axisLabel, axisLine, compactNumber, monoFont, palette, splitLine, tooltipBase } from './theme.ts';

/** Equity on top, drawdown from the running peak underneath, on one shared time scale. */
export function equityChartOption(result: BacktestResult): ChartOption {
  const { t, value, drawdown } = result.equity;
  const labels = t.map((time) => formatBarTime(time, result.timeframe === '1d' ? '1d' : '1m'));
  const initial = value[0] ?? 0;

  const tooltipFormatter = (raw: unknown): string => {
    const items = Array.isArray(raw) ? raw : [raw];
    const first = items[0] as { dataIndex?: number } | undefined;
    const i = first?.dataIndex ?? -1;
    if (i < 0 || i >= t.length) return '';
    const equity = value[i] ?? 0;
    const rows = [
      ['Equity', formatMoney(equity)],
      ['Return', formatPercent(initial > 0 ? equity / initial - 1 : null)],
      ['Drawdown', formatPercent(drawdown[i])],
    ];
    const lines = rows.map(
      ([k, v]) => `<div class="tt-row"><span class="tt-key">${k}</span><span>${v}</span></div>`,
    );
    return `<div class="tt-title">${labels[i] ?? ''}</div>${lines.join('')}`;
  };

  return {
    backgroundColor: 'transparent',
    animation: false,
    textStyle: { fontFamily: monoFont },
    axisPointer: {
      link: [{ xAxisIndex: 'all' }],
      label: { backgroundColor: '#2a333e', fontFamily: monoFont },
    },
    tooltip: {
      ...tooltipBase,
      trigger: 'axis',
      axisPointer: { type: 'line', lineStyle: { color: palette.muted, type: 'dashed' } },
      formatter: tooltipFormatter,
    },
    grid: [
      { left: 8, right: 64, top: 10, height: '58%' },
      { left: 8, right: 64, top: '72%', bottom: 22 },
    ],
    xAxis: [
      {
        type: 'category',
        data: labels,
        boundaryGap: false,
        axisLine,
        axisTick: { show: false },
        axisLabel: { show: false },
        axisPointer: { label: { show: false } },
      },
      {
        type: 'category',
        gridIndex: 1,
        data: labels,
        boundaryGap: false,
        axisLine,
        axisTick: { show: false },
        axisLabel: { ...axisLabel, hideOverlap: true, formatter: (label: string) => label.slice(0, 10) },
      },
    ],
    yAxis: [
      {
        scale: true,
        position: 'right',
        axisLine,
        axisLabel: { ...axisLabel, formatter: (v: number) => compactNumber(v) },
        splitLine,
      },
      {
        gridIndex: 1,
        position: 'right',
        max: 0,
        splitNumber: 2,
        axisLine,
        axisLabel: { ...axisLabel, formatter: (v: number) => formatPercent(v, 0) },
        splitLine,
      },
    ],
    series: [
      {
        name: 'Equity',
        type: 'line',
        data: value,
        showSymbol: false,
        sampling: 'lttb',
        lineStyle: { color: palette.equity, width: 1.4 },
        itemStyle: { color: palette.equity },
        areaStyle: { color: 'rgba(78, 161, 255, 0.10)', origin: 'start' },
        markLine: {
          silent: true,
          symbol: ['none', 'none'],
          label: { show: false },
          lineStyle: { color: palette.muted, type: 'dotted', width: 1 },
          data: [{ yAxis: initial }],
        },
      },
      {
        name: 'Drawdown',
        type: 'line',
        xAxisIndex: 1,
        yAxisIndex: 1,
        data: drawdown,
        showSymbol: false,
        sampling: 'lttb',
        lineStyle: { color: palette.down, width: 1 },
        itemStyle: { color: palette.down },
        areaStyle: { color: 'rgba(239, 83, 80, 0.25)' },
      },
    ],
  };
}
