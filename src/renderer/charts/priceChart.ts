import type { BacktestResult, BarsPayload } from '../../shared/contract.ts';
import type { TimeFormat } from '../../shared/timeZone.ts';
import { formatInteger, formatPrice, formatSignedPercent } from '../format.ts';
import type { ChartOption } from './echarts.ts';
import { compactNumber, monoFont, palette, tooltipRow } from './theme.ts';
import { barTooltip, timePanesOption } from './timePanes.ts';
import {
  alignIndicators,
  barIndexAt,
  entryExits,
  entryReason,
  indicatorPanes,
  type AlignedPlot,
} from './indicatorSeries.ts';

type Trade = BacktestResult['trades'][number];
type MarkLineEnd = { coord: [number, number]; lineStyle: { color: string; type?: 'dotted' } };

/** Line colours of the strategy's plots, in declaration order within each pane. */
const PLOT_COLORS = ['#4ea1ff', '#f0b90b', '#b388ff', '#9aa5b1', '#b388ff', '#4dd0e1'] as const;

/** What the backtest adds to the price chart beyond its trades. */
export interface PriceOverlay {
  /** The strategy's own indicator series (from the backtest result). */
  readonly indicators: BacktestResult['indicators'] | null;
  /** The run's span: the bars before `tradingFrom` are its warm-up, shaded. */
  readonly range: BacktestResult['range'];
  readonly logScale: boolean;
}

const NO_OVERLAY: PriceOverlay = { indicators: null, range: null, logScale: false };

/** Candles visible when a chart first opens: enough to read a pattern, few enough that bodies show. */
const INITIAL_VISIBLE_BARS = 240;

export interface TradeMarker {
  index: number;
  price: number;
  trade: number;
  kind: 'entry' | 'exit';
  long: boolean;
  win: boolean;
}

/** Places each trade's entry and exit on the bars shown; trades outside the window are left out. */
export function tradeMarkers(bars: BarsPayload, trades: readonly Trade[]): TradeMarker[] {
  const markers: TradeMarker[] = [];
  const first = bars.t[0];
  const last = bars.t[bars.t.length - 1];
  if (first === undefined || last === undefined) return markers;
  trades.forEach((trade, i) => {
    const long = trade.size >= 0;
    const win = trade.pnl > 0;
    if (trade.entryTime >= first && trade.entryTime <= last) {
      const index = barIndexAt(bars.t, trade.entryTime);
      markers.push({ index, price: trade.entryPrice, trade: i, kind: 'entry', long, win });
    }
    if (trade.exitTime >= first && trade.exitTime <= last) {
      const index = barIndexAt(bars.t, trade.exitTime);
      markers.push({ index, price: trade.exitPrice, trade: i, kind: 'exit', long, win });
    }
  });
  return markers;
}

/** A coloured band behind the candles over bars [from, to] (a regime's span). */
export interface PriceBand {
  readonly from: number;
  readonly to: number;
  readonly color: string;
}

export function priceChartOption(
  bars: BarsPayload,
  trades: readonly Trade[] | null,
  time: TimeFormat,
  bands: readonly PriceBand[] = [],
  overlay: PriceOverlay = NO_OVERLAY,
): ChartOption {
  const n = bars.t.length;
  const labels = bars.t.map((t) => time.barTime(t, bars.timeframe));
  const candles = bars.t.map((_, i) => [bars.o[i] ?? 0, bars.c[i] ?? 0, bars.l[i] ?? 0, bars.h[i] ?? 0]);
  const volumes = bars.v.map((v, i) => ({
    value: v,
    itemStyle: { color: (bars.c[i] ?? 0) >= (bars.o[i] ?? 0) ? palette.volumeUp : palette.volumeDown },
  }));

  const markers = trades ? tradeMarkers(bars, trades) : [];
  // Arrows sit outside the candle, pointing the way of the order: a buy (long entry, short exit) points up
  // from under the low, a sell points down from over the high. Entries are green (long) or red (short);
  // exits are amber. The dashed line between the two fills is coloured by the trade's outcome.
  // A reversal exits and enters on the same bar with two orders the same way: stack the arrows.
  const stacked = new Map<string, number>();
  const marker = (m: TradeMarker) => {
    const entry = m.kind === 'entry';
    const buy = entry === m.long;
    const price = buy ? (bars.l[m.index] ?? m.price) : (bars.h[m.index] ?? m.price);
    const slot = `${m.index}:${buy}`;
    const depth = stacked.get(slot) ?? 0;
    stacked.set(slot, depth + 1);
    const offset = 10 + depth * 13;
    return {
      value: [m.index, price, m.trade],
      symbol: 'arrow',
      symbolRotate: buy ? 0 : 180,
      symbolSize: [9, 11],
      symbolOffset: [0, buy ? offset : -offset],
      itemStyle: { color: entry ? (m.long ? palette.up : palette.down) : palette.accent },
    };
  };
  const tradeLines = trades
    ? trades.flatMap((trade) => {
        const first = bars.t[0] ?? Infinity;
        const last = bars.t[n - 1] ?? -Infinity;
        if (trade.exitTime < first || trade.entryTime > last) return [];
        const from = Math.max(0, barIndexAt(bars.t, trade.entryTime));
        const to = Math.max(0, barIndexAt(bars.t, trade.exitTime));
        const color = trade.pnl > 0 ? palette.up : palette.down;
        const line: [MarkLineEnd, MarkLineEnd] = [
          { coord: [from, trade.entryPrice], lineStyle: { color } },
          { coord: [to, trade.exitPrice], lineStyle: { color } },
        ];
        // The stop and the target the position was opened with, dotted over the bars it was held.
        const level = (price: number | null, tone: string): Array<[MarkLineEnd, MarkLineEnd]> =>
          price === null
            ? []
            : [
                [
                  { coord: [from, price], lineStyle: { color: tone, type: 'dotted' } },
                  { coord: [to, price], lineStyle: { color: tone, type: 'dotted' } },
                ],
              ];
        return [line, ...level(trade.stopLoss, palette.down), ...level(trade.takeProfit, palette.up)];
      })
    : [];

  const plots = overlay.indicators ? alignIndicators(bars, overlay.indicators) : [];
  const panes = indicatorPanes(plots);
  // Each indicator pane takes its height from the price pane; volume keeps the bottom and the time labels.
  const paneHeight = 13;
  const priceHeight = 64 - panes.length * (paneHeight + 4);
  const base = timePanesOption({
    labels,
    boundaryGap: true,
    pointer: 'cross',
    layout: { upperHeight: `${priceHeight}%`, lowerTop: '74%', bottom: 42 },
    upperValue: (v) => formatPrice(v),
    lowerValue: (v) => compactNumber(v),
    tooltip: (i) => {
      const change = i > 0 ? (bars.c[i] ?? 0) / (bars.c[i - 1] ?? 1) - 1 : null;
      const lines = [
        tooltipRow('O', formatPrice(bars.o[i])),
        tooltipRow('H', formatPrice(bars.h[i])),
        tooltipRow('L', formatPrice(bars.l[i])),
        tooltipRow('C', formatPrice(bars.c[i])),
        tooltipRow('Chg', formatSignedPercent(change)),
        tooltipRow('Vol', formatInteger(bars.v[i])),
      ];
      for (const plot of plots) {
        const value = plot.values[i];
        if (value !== null && value !== undefined) lines.push(tooltipRow(plot.label, formatPrice(value)));
      }
      for (const m of markers) {
        if (m.index !== i || !trades) continue;
        const trade = trades[m.trade];
        if (!trade) continue;
        const what = `${m.kind === 'entry' ? 'Entry' : 'Exit'} #${m.trade + 1} ${m.long ? 'long' : 'short'}`;
        const detail =
          m.kind === 'entry'
            ? `@ ${formatPrice(trade.entryPrice)}`
            : `@ ${formatPrice(trade.exitPrice)} ${formatSignedPercent(trade.returnPct)}`;
        lines.push(
          `<div class="tt-row tt-trade ${trade.pnl > 0 ? 'up' : 'down'}"><span>${what}</span><span>${detail}</span></div>`,
        );
        if (m.kind === 'entry') {
          const exits = entryExits(trade);
          lines.push(tooltipRow('why', entryReason(trade)));
          lines.push(tooltipRow('stop', exits.stop), tooltipRow('target', exits.target));
        }
      }
      return barTooltip(labels[i] ?? '', lines);
    },
  });
  const paneAxes = panes.map((_, k) => 2 + k);
  const zoomAxes = [0, 1, ...paneAxes];
  const grids = base.grid as object[];
  const xAxes = base.xAxis as Array<Record<string, unknown>>;
  const yAxes = base.yAxis as Array<Record<string, unknown>>;
  panes.forEach((_, k) => {
    const top = 2 + priceHeight + 4 + k * (paneHeight + 4);
    grids.push({ left: 8, right: 64, top: `${top}%`, height: `${paneHeight}%`, outerBoundsMode: 'none' });
    xAxes.push({ ...xAxes[0], gridIndex: 2 + k });
    yAxes.push({ ...yAxes[1], gridIndex: 2 + k, scale: true, max: undefined });
  });
  if (overlay.logScale) yAxes[0] = { ...yAxes[0], type: 'log', logBase: 10 };
  const warmUp =
    overlay.range && overlay.range.tradingFrom > (bars.t[0] ?? Infinity)
      ? Math.min(n - 1, barIndexAt(bars.t, overlay.range.tradingFrom))
      : -1;
  const runStart = overlay.range ? Math.max(0, barIndexAt(bars.t, overlay.range.first)) : 0;

  return {
    ...base,
    dataZoom: [
      {
        type: 'inside',
        xAxisIndex: zoomAxes,
        startValue: Math.max(0, n - INITIAL_VISIBLE_BARS),
        endValue: n - 1,
      },
      {
        type: 'slider',
        xAxisIndex: zoomAxes,
        startValue: Math.max(0, n - INITIAL_VISIBLE_BARS),
        endValue: n - 1,
        bottom: 6,
        height: 20,
        borderColor: palette.axis,
        backgroundColor: palette.panel,
        fillerColor: 'rgba(78, 161, 255, 0.12)',
        dataBackground: {
          lineStyle: { color: palette.muted },
          areaStyle: { color: 'rgba(108, 120, 134, 0.25)' },
        },
        textStyle: { color: palette.muted, fontFamily: monoFont, fontSize: 10 },
        handleStyle: { color: palette.axis, borderColor: palette.muted },
        moveHandleStyle: { color: palette.axis },
      },
    ],
    series: [
      {
        name: bars.symbol,
        type: 'candlestick',
        data: candles,
        itemStyle: {
          color: palette.up,
          color0: palette.down,
          borderColor: palette.up,
          borderColor0: palette.down,
        },
        barMaxWidth: 14,
        markLine: tradeLines.length
          ? {
              silent: true,
              symbol: ['none', 'none'],
              animation: false,
              lineStyle: { type: 'dashed', width: 1, opacity: 0.8 },
              label: { show: false },
              data: tradeLines,
            }
          : undefined,
        // Behind the candles (z below the series), each band from its first bar to its last.
        markArea:
          bands.length || warmUp > 0
            ? {
                silent: true,
                animation: false,
                z: -1,
                data: [
                  ...bands.map((band) => [
                    { xAxis: band.from, itemStyle: { color: band.color } },
                    { xAxis: band.to },
                  ]),
                  // The strategy's warm-up: bars the run loaded for its indicators but could not trade on.
                  ...(warmUp > 0
                    ? [
                        [
                          {
                            xAxis: runStart,
                            name: 'warm-up',
                            itemStyle: { color: 'rgba(108, 120, 134, 0.16)' },
                            label: { show: true, color: palette.muted, fontSize: 10, position: 'insideTop' },
                          },
                          { xAxis: warmUp },
                        ],
                      ]
                    : []),
                ],
              }
            : undefined,
      },
      {
        name: 'Volume',
        type: 'bar',
        xAxisIndex: 1,
        yAxisIndex: 1,
        data: volumes,
        barMaxWidth: 14,
      },
      {
        name: 'Trades',
        type: 'scatter',
        data: markers.map(marker),
        z: 5,
        tooltip: { show: false },
      },
      ...plotSeries(plots, panes),
    ],
  };
}

/** The strategy's plots as series: on the price pane or in the pane each names, levels as lines. */
function plotSeries(plots: readonly AlignedPlot[], panes: readonly string[]): object[] {
  const used = new Map<string, number>();
  return plots.map((plot) => {
    const axis = plot.pane === 'price' ? 0 : 2 + panes.indexOf(plot.pane);
    const k = used.get(plot.pane) ?? 0;
    used.set(plot.pane, k + 1);
    const color = PLOT_COLORS[k % PLOT_COLORS.length];
    const levels =
      plot.levels.length > 0
        ? {
            silent: true,
            symbol: ['none', 'none'],
            animation: false,
            label: { show: false },
            lineStyle: { color: palette.muted, type: 'dashed', width: 1 },
            data: plot.levels.map((yAxis) => ({ yAxis })),
          }
        : undefined;
    const common = {
      name: plot.label,
      xAxisIndex: axis,
      yAxisIndex: axis,
      data: plot.values,
      markLine: levels,
    };
    return plot.style === 'histogram'
      ? { ...common, type: 'bar', barMaxWidth: 6, itemStyle: { color: palette.muted } }
      : {
          ...common,
          type: 'line',
          showSymbol: false,
          connectNulls: true,
          lineStyle: { width: 1, color },
          itemStyle: { color },
        };
  });
}
