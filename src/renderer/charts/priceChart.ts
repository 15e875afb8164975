import type { BacktestResult, BarsPayload } from '../../shared/contract.ts';
import type { TimeFormat } from '../../shared/timeZone.ts';
import { formatInteger, formatPrice, formatSignedPercent } from '../format.ts';
import type { ChartOption } from './echarts.ts';
import { compactNumber, monoFont, palette, tooltipRow } from './theme.ts';
import { barTooltip, timePanesOption } from './timePanes.ts';

type Trade = BacktestResult['trades'][number];
type MarkLineEnd = { coord: [number, number]; lineStyle: { color: string } };

/** Candles visible when a chart first opens: enough to read a pattern, few enough that bodies show. */
const INITIAL_VISIBLE_BARS = 240;

/** Index of the last bar starting at or before `time`, or -1 when `time` precedes every bar. */
export function barIndexAt(t: readonly number[], time: number): number {
  let lo = 0;
  let hi = t.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((t[mid] ?? Infinity) <= time) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

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
        return [line];
      })
    : [];

  return {
    ...timePanesOption({
      labels,
      boundaryGap: true,
      pointer: 'cross',
      layout: { upperHeight: '64%', lowerTop: '74%', bottom: 42 },
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
        }
        return barTooltip(labels[i] ?? '', lines);
      },
    }),
    dataZoom: [
      {
        type: 'inside',
        xAxisIndex: [0, 1],
        startValue: Math.max(0, n - INITIAL_VISIBLE_BARS),
        endValue: n - 1,
      },
      {
        type: 'slider',
        xAxisIndex: [0, 1],
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
        markArea: bands.length
          ? {
              silent: true,
              animation: false,
              z: -1,
              data: bands.map((band) => [
                { xAxis: band.from, itemStyle: { color: band.color } },
                { xAxis: band.to },
              ]),
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
    ],
  };
}
