import type { BacktestResult } from '../../../shared/contract.ts';
import { useApp } from '../../store/context.tsx';
import { useTimeFormat } from '../../timeFormat.ts';
import { wipedOutText } from '../../../shared/wipedOutText.ts';
import { costsText, financingPaidText } from '../../../shared/costsText.ts';
import {
  formatMetric,
  HEADLINE_METRICS,
  metricDescription,
  metricLabel,
  metricTone,
  orderedMetricKeys,
} from '../../metricFormat.ts';

/**
 * Where the Backtest view has no result for the chart: the last backtest, when it is kept aside for
 * another symbol, timeframe or session, with a button to go back to it.
 */
function KeptAsideNotice({ shown }: { shown: boolean }) {
  const aside = useApp((s) => s.keptAside);
  const showKeptAside = useApp((s) => s.showKeptAside);
  if (!shown || aside === null) return <div className="empty">No backtest yet.</div>;
  const { result, session } = aside;
  return (
    <div className="empty" data-testid="kept-aside">
      No backtest on this chart. The last one, {result.strategy} on {result.symbol} {result.timeframe}
      {session === 'regular' ? '' : ` (${session} hours)`}, is kept:{' '}
      <button
        type="button"
        className="ghost-button small"
        data-testid="show-kept-aside"
        onClick={showKeptAside}
      >
        Show {result.symbol} {result.timeframe}
      </button>
    </div>
  );
}

/** The metrics of the Backtest view's result, or of `result` when given (another view's backtest). */
export function MetricsPanel({ result: given }: { result?: BacktestResult | null } = {}) {
  const own = useApp((s) => s.result);
  const result = given === undefined ? own : given;
  const metrics = result?.metrics ?? null;
  const time = useTimeFormat();
  return (
    <section className="panel metrics" data-testid="metrics-panel">
      <div className="panel-title">Performance</div>
      <div className="headline" data-testid="metrics-headline">
        {HEADLINE_METRICS.map((key) => {
          const value = metrics?.[key];
          return (
            <div key={key} className="headline-cell" title={metricDescription(key)}>
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
      {result?.wipedOutAt != null ? (
        <div className="error-text" role="alert" data-testid="wiped-out" data-time={result.wipedOutAt}>
          {wipedOutText(`${time.barTime(result.wipedOutAt, result.timeframe)} ${time.zone}`)}
        </div>
      ) : null}
      {result != null ? (
        <div
          className="muted"
          data-testid="result-costs"
          title="What the run was charged beyond its commission, and whether it could sell short"
        >
          costs: {costsText(result.costs)}
        </div>
      ) : null}
      {result != null && result.financingPaid > 0 ? (
        <div
          className="muted"
          data-testid="financing-paid"
          data-value={result.financingPaid}
          title="Margin interest on cash borrowed overnight and borrow fees on shorts held overnight, already in the trades' profit and the equity"
        >
          {financingPaidText(result.financingPaid)}
        </div>
      ) : null}
      {metrics ? (
        <table className="kv-table" data-testid="metrics-table">
          <tbody>
            {orderedMetricKeys(metrics).map((key) => (
              <tr
                key={key}
                data-testid={`metric-row-${key}`}
                data-value={metrics[key] ?? ''}
                title={metricDescription(key)}
              >
                <th>{metricLabel(key)}</th>
                <td className={metricTone(key, metrics[key])}>{formatMetric(key, metrics[key])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <KeptAsideNotice shown={given === undefined} />
      )}
      {result && result.costStress.length > 0 ? (
        <>
          <div
            className="panel-title"
            title="The same run with more cost on every fill, on top of its own costs"
          >
            Cost stress
          </div>
          <table className="kv-table cost-stress" data-testid="cost-stress">
            <thead>
              <tr>
                <th>extra</th>
                <th>{metricLabel('totalReturn')}</th>
                <th>{metricLabel('sharpeRatio')}</th>
                <th>{metricLabel('maxDrawdown')}</th>
              </tr>
            </thead>
            <tbody>
              {result.costStress.map((row) => (
                <tr key={row.bps} data-testid={`cost-stress-${row.bps}`} data-value={row.totalReturn ?? ''}>
                  <th>+{row.bps} bp</th>
                  <td className={metricTone('totalReturn', row.totalReturn)}>
                    {formatMetric('totalReturn', row.totalReturn)}
                  </td>
                  <td>{formatMetric('sharpeRatio', row.sharpeRatio)}</td>
                  <td>{formatMetric('maxDrawdown', row.maxDrawdown)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
