import { useEffect, useMemo } from 'react';
import type { ComparedPin } from '../../../shared/contract.ts';
import { EChart } from '../../charts/EChart.tsx';
import { compareChartOption, PIN_COLOURS } from '../../charts/compareChart.ts';
import { formatMetricDelta, metricDifference } from '../../../shared/metricDifference.ts';
import { formatMetric, metricDescription, metricLabel, orderedMetricKeys } from '../../metricFormat.ts';
import { referencePin } from '../../store/compareStore.ts';
import { useTimeFormat } from '../../timeFormat.ts';
import { useCompare, useCompareStore } from './useCompare.ts';
import './compare.css';

/**
 * Pinned backtests and trials side by side: their equity curves overlaid from one starting capital (on
 * their own dates, a log scale to compare growth), and every metric of the catalogue in columns, each
 * marked better or worse than the reference column by the metric's direction, with the difference.
 */
export function CompareView() {
  const store = useCompareStore();
  useEffect(() => {
    void store.getState().refresh();
  }, [store]);
  const pins = useCompare((s) => s.pins);
  const error = useCompare((s) => s.error);
  const clear = useCompare((s) => s.clear);
  const logScale = useCompare((s) => s.logScale);
  const setLogScale = useCompare((s) => s.setLogScale);
  const rows = pins.status === 'ready' ? pins.data : [];

  return (
    <div className="compare-layout" data-testid="compare-view">
      <section className="panel">
        <div className="panel-title">
          Compare <span className="panel-count">{rows.length || ''}</span>
          <span className="panel-sub">pin a backtest (Backtest view) or a trial (Optimize view)</span>
          <span className="status-spacer" />
          <label className="compare-toggle">
            <input
              type="checkbox"
              data-testid="compare-log"
              checked={logScale}
              onChange={(event) => setLogScale(event.target.checked)}
            />
            log scale
          </label>
          <button
            type="button"
            className="ghost-button small"
            data-testid="compare-clear"
            disabled={rows.length === 0}
            onClick={() => void clear()}
          >
            Clear
          </button>
        </div>
        {error ? <div className="empty error-text">{error}</div> : null}
        {pins.status === 'loading' ? <div className="empty">Running the pins again…</div> : null}
        {pins.status === 'error' ? <div className="empty error-text">{pins.message}</div> : null}
        {pins.status === 'ready' && rows.length === 0 ? (
          <div className="empty">Nothing pinned yet.</div>
        ) : null}
        {rows.length > 0 ? <Overlay pins={rows} /> : null}
      </section>
      {rows.length > 0 ? <MetricsTable pins={rows} /> : null}
    </div>
  );
}

function Overlay({ pins }: { pins: readonly ComparedPin[] }) {
  const logScale = useCompare((s) => s.logScale);
  const reference = referencePin(
    pins,
    useCompare((s) => s.reference),
  );
  const time = useTimeFormat();
  const capital = reference?.result.ok ? reference.result.cash : 10_000;
  const option = useMemo(
    () => compareChartOption(pins, capital, logScale, time),
    [pins, capital, logScale, time],
  );
  const ranges = new Set(
    pins.flatMap((p) =>
      p.result.ok ? [`${p.result.symbol} ${p.result.equity.t[0]}-${p.result.equity.t.at(-1)}`] : [],
    ),
  );
  return (
    <>
      {ranges.size > 1 ? (
        <div className="compare-note" data-testid="compare-dates-note">
          The pins cover different symbols or dates: each curve is drawn on its own dates, so compare their
          shapes and rates, not their values on one day.
        </div>
      ) : null}
      <div
        className="chart-box compare-chart"
        data-series={pins.filter((p) => p.result.ok).length}
        data-testid="compare-chart-box"
      >
        <EChart option={option} testId="compare-chart" />
      </div>
      <div className="compare-scale-note">
        Every curve rescaled to start at {capital.toLocaleString()} (the reference column&apos;s capital).
      </div>
    </>
  );
}

function MetricsTable({ pins }: { pins: readonly ComparedPin[] }) {
  const referenceId = useCompare((s) => s.reference);
  const setReference = useCompare((s) => s.setReference);
  const unpin = useCompare((s) => s.unpin);
  const reference = referencePin(pins, referenceId);
  const keys = useMemo(() => {
    const all: Record<string, number | null> = {};
    for (const pin of pins) if (pin.result.ok) Object.assign(all, pin.result.metrics);
    return orderedMetricKeys(all);
  }, [pins]);
  const referenceMetrics = reference?.result.ok ? reference.result.metrics : {};

  return (
    <section className="panel compare-table-panel">
      <div className="panel-title">Metrics against the reference column</div>
      <div className="compare-table-scroll">
        <table className="compare-table" data-testid="compare-table">
          <thead>
            <tr>
              <th />
              {pins.map((pin, i) => (
                <th key={pin.id} data-testid="compare-column" data-reference={pin.id === reference?.id}>
                  <span
                    className="compare-swatch"
                    style={{ background: PIN_COLOURS[i % PIN_COLOURS.length] }}
                  />
                  <span className="compare-label" title={pinTitle(pin)}>
                    {pin.label}
                  </span>
                  <span className="compare-column-actions">
                    {pin.id === reference?.id ? (
                      <span className="compare-ref-badge">reference</span>
                    ) : (
                      <button
                        type="button"
                        className="ghost-button small"
                        data-testid="compare-set-reference"
                        onClick={() => setReference(pin.id)}
                      >
                        as reference
                      </button>
                    )}
                    <button
                      type="button"
                      className="ghost-button small"
                      data-testid="compare-unpin"
                      title="Unpin"
                      onClick={() => void unpin(pin.id)}
                    >
                      ✕
                    </button>
                  </span>
                  {pin.result.ok ? (
                    <span className="compare-sub">
                      {pin.result.symbol} {pin.result.timeframe} · {pin.result.strategy}
                    </span>
                  ) : (
                    <span className="compare-sub error-text">{pin.result.error}</span>
                  )}
                  {pin.result.ok
                    ? pin.result.notes.map((note) => (
                        <span key={note} className="compare-sub">
                          {note}
                        </span>
                      ))
                    : null}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key} data-metric={key}>
                <th title={metricDescription(key)}>
                  {metricLabel(key)}
                  <span className="compare-explain">{metricDescription(key)}</span>
                </th>
                {pins.map((pin) => {
                  if (!pin.result.ok) return <td key={pin.id}>—</td>;
                  const value = pin.result.metrics[key];
                  const isReference = pin.id === reference?.id;
                  const diff = isReference ? null : metricDifference(key, value, referenceMetrics[key]);
                  return (
                    <td
                      key={pin.id}
                      className={diff?.verdict ? `compare-${diff.verdict}` : ''}
                      data-verdict={diff?.verdict ?? ''}
                    >
                      {formatMetric(key, value)}
                      {diff && diff.delta !== null && diff.delta !== 0 ? (
                        <span className="compare-delta">
                          {formatMetricDelta(key, diff.delta, formatMetric, '−')}
                        </span>
                      ) : null}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function pinTitle(pin: ComparedPin): string {
  const source =
    pin.source.kind === 'trial'
      ? `trial ${pin.source.trial} of study ${pin.source.studyId}`
      : pin.source.kind === 'walkforward'
        ? `walk-forward run ${pin.source.runId} (out of sample)`
        : 'a backtest';
  const params = pin.result.ok
    ? Object.entries(pin.result.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')
    : '';
  return `${pin.label}: ${source} ${params}`.trim();
}
