import type { BacktestResult } from '../../shared/contract.ts';
import type { TimeFormat } from '../../shared/timeZone.ts';
import { formatMoney, formatPercent } from '../format.ts';
import type { ChartOption } from './echarts.ts';
import { compactNumber, palette, tooltipRow } from './theme.ts';
import { barTooltip, timePanesOption } from './timePanes.ts';

/** Equity on top, drawdown from the running peak underneath, on one shared time scale. */
export function equityChartOption(result: BacktestResult, time: TimeFormat): ChartOption {
  const { t, value, drawdown } = result.equity;
  const labels = t.map((at) => time.barTime(at, result.timeframe));
  const initial = value[0] ?? 0;

  return {
    ...timePanesOption({
      labels,
      boundaryGap: false,
      pointer: 'line',
      layout: { upperHeight: '58%', lowerTop: '72%', bottom: 22 },
      upperValue: (v) => compactNumber(v),
      lowerValue: (v) => formatPercent(v, 0),
      lowerMax: 0,
      timeLabel: (label) => label.slice(0, 10),
      tooltip: (i) => {
        const equity = value[i] ?? 0;
        return barTooltip(labels[i] ?? '', [
          tooltipRow('Equity', formatMoney(equity)),
          tooltipRow('Return', formatPercent(initial > 0 ? equity / initial - 1 : null)),
          tooltipRow('Drawdown', formatPercent(drawdown[i])),
        ]);
      },
    }),
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
