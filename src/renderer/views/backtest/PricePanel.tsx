import { useMemo, useState } from 'react';
import { EChart } from '../../charts/EChart.tsx';
import { barIndexAt } from '../../charts/indicatorSeries.ts';
import { priceChartOption } from '../../charts/priceChart.ts';
import { formatInteger, formatPrice, formatSignedPercent } from '../../format.ts';
import { CHART_BAR_LIMITS, type ChartBarLimit, symbolTimeframeReasons } from '../../store/appStore.ts';
import { useApp } from '../../store/context.tsx';
import { useTimeFormat } from '../../timeFormat.ts';
import { warmupText } from '../../../shared/warmupText.ts';
import { TIMEFRAME_CHOICES, timeframesNote } from '../../timeframes.ts';
import { SessionSelect } from '../fields.tsx';
import { RegimeRibbon } from '../regime/RegimeRibbon.tsx';
import { useRegime, useRegimeBands } from '../regime/useRegime.ts';

export function PricePanel() {
  const symbol = useApp((s) => s.symbol);
  const timeframe = useApp((s) => s.timeframe);
  const barLimit = useApp((s) => s.barLimit);
  const bars = useApp((s) => s.bars);
  const result = useApp((s) => s.result);
  const setTimeframe = useApp((s) => s.setTimeframe);
  const setBarLimit = useApp((s) => s.setBarLimit);
  const barsEnd = useApp((s) => s.barsEnd);
  const barsLoading = useApp((s) => s.barsLoading);
  const focus = useApp((s) => s.focus);
  const showLatestBars = useApp((s) => s.showLatestBars);
  const datasets = useApp((s) => s.datasets);
  const reasons = useMemo(() => symbolTimeframeReasons({ datasets, symbol }), [datasets, symbol]);
  const unavailable = useMemo(
    () => timeframesNote(datasets.status === 'ready' ? datasets.data : null, symbol),
    [datasets, symbol],
  );

  const data = bars.status === 'ready' ? bars.data : null;
  const ownResult =
    result && data && result.symbol === data.symbol && result.timeframe === data.timeframe ? result : null;
  const trades = ownResult ? ownResult.trades : null;
  const [logScale, setLogScale] = useState(false);
  const overlay = useMemo(
    () => ({
      indicators: ownResult?.indicators ?? null,
      range: ownResult?.range ?? null,
      logScale,
    }),
    [ownResult, logScale],
  );
  const plotLabels = ownResult?.indicators.plots.map((plot) => plot.label) ?? [];
  const panes = new Set(ownResult?.indicators.plots.map((plot) => plot.pane).filter((p) => p !== 'price'));
  const time = useTimeFormat();
  const bands = useRegimeBands(data);
  const regimes = useRegime((s) => s.labels);
  const regimeAxis = useRegime((s) => s.form.axis);
  const ribbonLabels =
    data &&
    regimes.status === 'ready' &&
    regimes.data.symbol === data.symbol &&
    regimes.data.timeframe === data.timeframe
      ? regimes.data
      : null;
  const option = useMemo(
    () => (data && data.t.length > 0 ? priceChartOption(data, trades, time, bands, overlay) : null),
    [data, trades, time, bands, overlay],
  );

  const zoomTo = useMemo(() => {
    const trade = focus && trades ? trades[focus.trade] : undefined;
    if (!trade || !data || !focus) return null;
    const first = data.t[0];
    const last = data.t[data.t.length - 1];
    if (first === undefined || last === undefined || trade.entryTime < first || trade.exitTime > last)
      return null;
    const entry = barIndexAt(data.t, trade.entryTime);
    const exit = barIndexAt(data.t, trade.exitTime);
    const margin = Math.max(30, Math.round((exit - entry) * 0.5));
    return {
      startValue: Math.max(0, entry - margin),
      endValue: Math.min(data.t.length - 1, exit + margin),
      key: focus.seq,
    };
  }, [focus, trades, data]);

  const n = data?.t.length ?? 0;
  const last = n > 0 ? data?.c[n - 1] : undefined;
  const previous = n > 1 ? data?.c[n - 2] : undefined;
  const change = last !== undefined && previous ? last / previous - 1 : null;

  return (
    <section
      className="panel price"
      data-testid="price-panel"
      data-bar-count={n}
      data-bars-symbol={data?.symbol ?? ''}
      data-bars-timeframe={data?.timeframe ?? ''}
      data-regime-bands={bands.length}
      data-indicators={plotLabels.join('|')}
      data-indicator-panes={panes.size}
      data-log-scale={logScale}
      aria-busy={barsLoading}
    >
      <div className="toolbar">
        <span className="toolbar-symbol" data-testid="chart-symbol">
          {symbol ?? '—'}
        </span>
        <span className="toolbar-price">{formatPrice(last)}</span>
        <span
          className={
            change === null ? 'toolbar-change' : change >= 0 ? 'toolbar-change up' : 'toolbar-change down'
          }
        >
          {formatSignedPercent(change)}
        </span>
        <div className="segmented" role="group" aria-label="Timeframe">
          {TIMEFRAME_CHOICES.map((tf) => (
            <button
              key={tf}
              type="button"
              className={tf === timeframe ? 'seg active' : 'seg'}
              aria-pressed={tf === timeframe}
              data-testid={`timeframe-${tf}`}
              disabled={reasons[tf] !== null}
              title={reasons[tf] ?? undefined}
              onClick={() => setTimeframe(tf)}
            >
              {tf}
            </button>
          ))}
        </div>
        {unavailable ? (
          <span className="toolbar-note" data-testid="timeframe-note" title={unavailable}>
            {unavailable}
          </span>
        ) : null}
        <SessionSelect testId="session" className="toolbar-select" />
        <label className="toolbar-select">
          <span>bars</span>
          <select
            data-testid="bar-limit"
            value={barLimit}
            onChange={(e) => setBarLimit(Number(e.target.value) as ChartBarLimit)}
          >
            {CHART_BAR_LIMITS.map((limit) => (
              <option key={limit} value={limit}>
                {formatInteger(limit)}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className={logScale ? 'seg active' : 'seg'}
          aria-pressed={logScale}
          data-testid="log-scale"
          title="Logarithmic price scale: equal percentage moves look equal"
          onClick={() => setLogScale(!logScale)}
        >
          log
        </button>
        {ownResult?.range ? (
          <span
            className="toolbar-note"
            data-testid="backtest-range"
            data-first={ownResult.range.first}
            data-trading-from={ownResult.range.tradingFrom}
            data-last={ownResult.range.last}
            title="The bars the backtest ran over, its indicators warmed up on the bars before them when the cache has them; before 'trading from' they were still warming up (shaded)"
          >
            run {time.barTime(ownResult.range.first, ownResult.timeframe)} →{' '}
            {time.barTime(ownResult.range.last, ownResult.timeframe)} · trading from{' '}
            {time.barTime(ownResult.range.tradingFrom, ownResult.timeframe)}
            {ownResult.range.warmup === undefined ? null : (
              <span data-testid="backtest-warmup">
                {` (${warmupText(ownResult.range.warmup, `${time.barTime(ownResult.range.tradingFrom, ownResult.timeframe)} ${time.zone}`)})`}
              </span>
            )}
          </span>
        ) : null}
        {trades ? (
          <span className="toolbar-legend">
            <span className="up">▲</span> long <span className="down">▼</span> short{' '}
            <span className="legend-exit">▲▼</span> exit
          </span>
        ) : null}
        {barsEnd !== null ? (
          <button
            type="button"
            className="ghost-button small"
            onClick={showLatestBars}
            data-testid="show-latest"
          >
            Latest ⇥
          </button>
        ) : null}
        {barsLoading ? <span className="toolbar-busy">loading…</span> : null}
      </div>
      <div className="chart-box">
        {option ? <EChart option={option} testId="price-chart" keepZoom zoomTo={zoomTo} /> : null}
        {bars.status === 'ready' && n === 0 ? (
          <div className="empty overlay">
            No bars for {symbol} {timeframe}.
          </div>
        ) : null}
        {bars.status === 'error' ? <div className="empty overlay error-text">{bars.message}</div> : null}
        {bars.status === 'idle' ? <div className="empty overlay">Pick a symbol.</div> : null}
      </div>
      {data && ribbonLabels ? (
        <RegimeRibbon times={data.t} regimes={ribbonLabels} axis={regimeAxis} testId="regime-ribbon" />
      ) : null}
    </section>
  );
}
