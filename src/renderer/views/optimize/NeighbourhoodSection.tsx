import type { OptimizeNeighbourhoodResult } from '../../../shared/contract.ts';
import { formatParamValue } from '../../format.ts';
import { formatMetric } from '../../metricFormat.ts';
import { useOptimize } from '../../store/optimizeContext.tsx';

type Objectives = ReadonlyArray<{ metric: string; direction: 'maximize' | 'minimize' }>;

/** 'up' when a neighbour does better than the winner on the first objective, 'down' when worse. */
function tone(
  objectives: Objectives,
  winner: number | null | undefined,
  value: number | null | undefined,
): string {
  const first = objectives[0];
  if (!first || winner === null || winner === undefined || value === null || value === undefined) return '';
  if (value === winner) return '';
  return (first.direction === 'maximize') === value > winner ? 'up' : 'down';
}

function Table({ data, objectives }: { data: OptimizeNeighbourhoodResult; objectives: Objectives }) {
  const winner = data.winner;
  if (winner === null) return <div className="empty">{data.note}</div>;
  const first = objectives[0]?.metric ?? '';
  return (
    <table className="kv-table opt-neighbourhood" data-testid="opt-neighbourhood-table">
      <tbody>
        <tr>
          <th>winner #{winner.number}</th>
          <td>{formatMetric(first, winner.values?.[0] ?? null)}</td>
          <td>{formatMetric('numTrades', winner.metrics.numTrades ?? null)} trades</td>
        </tr>
        {data.neighbours.map((n) => (
          <tr
            key={`${n.param}${n.direction}`}
            data-testid="opt-neighbour"
            data-param={n.param}
            data-direction={n.direction}
            data-run-now={n.trialNumber === null}
          >
            <th
              title={
                n.trialNumber === null
                  ? 'not a trial of the study: run for this table'
                  : `trial #${n.trialNumber}`
              }
            >
              {n.param} {n.direction < 0 ? '−' : '+'} → {formatParamValue(n.value, 4)}
              {n.trialNumber === null ? ' *' : ''}
            </th>
            {n.status === 'complete' ? (
              <>
                <td className={tone(objectives, winner.values?.[0], n.values?.[0])}>
                  {formatMetric(first, n.values?.[0] ?? null)}
                </td>
                <td>{formatMetric('numTrades', n.metrics.numTrades ?? null)} trades</td>
              </>
            ) : (
              <td colSpan={2} className="down">
                {n.error ?? n.status}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The winner's results one grid step down and up in each parameter, on request (it may run backtests). */
export function NeighbourhoodSection() {
  const neighbourhood = useOptimize((s) => s.neighbourhood);
  const load = useOptimize((s) => s.loadNeighbourhood);
  const detail = useOptimize((s) => s.study?.detail ?? null);
  const running = detail?.summary.state === 'running';
  const objectives = detail?.summary.objectives ?? [];
  return (
    <div
      className="opt-neighbourhood-section"
      data-testid="opt-neighbourhood"
      data-status={neighbourhood.status}
    >
      <div className="run-row">
        <button
          type="button"
          className="ghost-button small"
          data-testid="opt-neighbourhood-run"
          disabled={!detail || running || neighbourhood.status === 'loading'}
          title={running ? 'The winner can still change while the study runs' : undefined}
          onClick={() => void load()}
        >
          {neighbourhood.status === 'loading' ? 'Running neighbours…' : 'Show neighbourhood'}
        </button>
        <span className="opt-muted">each parameter one step down and up; * run now, not a trial</span>
      </div>
      {neighbourhood.status === 'ready' ? <Table data={neighbourhood.data} objectives={objectives} /> : null}
      {neighbourhood.status === 'error' ? <div className="error-text">{neighbourhood.message}</div> : null}
    </div>
  );
}
