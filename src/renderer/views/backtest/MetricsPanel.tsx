import type { BacktestResult } from '../../../shared/contract.ts';
import { useApp } from '../../store/context.tsx';
import {
  formatMetric,
  HEADLINE_METRICS,
  metricLabel,
  metricTone,
  orderedMetricKeys,
} from '../../metricFormat.ts';

/** The metrics of the Backtest view's result, or of `result` when given (another view's backtest). */
export function MetricsPanel({ result: given }: { result?: BacktestResult | null } = {}) {
  const own = useApp((s) => s.result);
  const result = given === undefined ? own : given;
  const metrics = result?.metrics ?? null;
  return (
    <section className="panel metrics" data-testid="metrics-panel">
      <div className="panel-title">Performance</div>
      <div className="headline" data-testid="metrics-headline">
        {HEADLINE_METRICS.map((key) => {
          const value = metrics?.[key];
          return (
            <div key={key} className="headline-cell">
              <div className="headline-label">{metricLabel(key)}</div>
              <div
                className={`headline-value ${metricTone(key, value)}`}
                data-testid={`metric-${key}`}
                data-value={value ?? ''}
              >
                {formatMetric(key, value)}
              </div>
            </div>
          );
        })}
      </div>
      {metrics ? (
        <table className="kv-table" data-testid="metrics-table">
          <tbody>
            {orderedMetricKeys(metrics).map((key) => (
              <tr key={key} data-testid={`metric-row-${key}`} data-value={metrics[key] ?? ''}>
                <th>{metricLabel(key)}</th>
                <td className={metricTone(key, metrics[key])}>{formatMetric(key, metrics[key])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <div className="empty">No backtest yet.</div>
      )}
    </section>
  );
}
