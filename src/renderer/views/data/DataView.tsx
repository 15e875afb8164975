import { useApp } from '../../store/context.tsx';
import { formatDate, formatInteger } from '../../format.ts';

/** What the local cache holds: one row per symbol and stored timeframe, with its span. */
export function DataView() {
  const datasets = useApp((s) => s.datasets);
  return (
    <section className="panel data-view" data-testid="data-view">
      <div className="panel-title">Cached market data</div>
      {datasets.status === 'loading' || datasets.status === 'idle' ? (
        <div className="empty">Loading…</div>
      ) : null}
      {datasets.status === 'error' ? <div className="empty error-text">{datasets.message}</div> : null}
      {datasets.status === 'ready' && datasets.data.length === 0 ? (
        <div className="empty">No data cached yet.</div>
      ) : null}
      {datasets.status === 'ready' && datasets.data.length > 0 ? (
        <table className="grid-table">
          <thead>
            <tr>
              <th>Symbol</th>
              <th>Timeframe</th>
              <th className="num">Bars</th>
              <th>From</th>
              <th>To</th>
              <th>Source</th>
            </tr>
          </thead>
          <tbody>
            {datasets.data.map((d) => (
              <tr key={`${d.symbol}:${d.timeframe}`}>
                <td className="sym">{d.symbol}</td>
                <td>{d.timeframe}</td>
                <td className="num">{formatInteger(d.bars)}</td>
                <td>{formatDate(d.start)}</td>
                <td>{formatDate(d.end)}</td>
                <td>{d.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
