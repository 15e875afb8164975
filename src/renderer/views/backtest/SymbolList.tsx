import { useMemo } from 'react';
import { useApp } from '../../store/context.tsx';
import { symbolRows } from '../../store/appStore.ts';
import { formatInteger } from '../../format.ts';
import { useTimeFormat } from '../../timeFormat.ts';

export function SymbolList() {
  const datasets = useApp((s) => s.datasets);
  const selected = useApp((s) => s.symbol);
  const selectSymbol = useApp((s) => s.selectSymbol);
  const time = useTimeFormat();
  const rows = useMemo(() => (datasets.status === 'ready' ? symbolRows(datasets.data) : []), [datasets]);

  return (
    <section className="panel symbols" data-testid="symbol-list">
      <div className="panel-title">
        Symbols <span className="panel-count">{rows.length || ''}</span>
      </div>
      {datasets.status === 'loading' ? <div className="empty">Loading…</div> : null}
      {datasets.status === 'error' ? <div className="empty error-text">Could not list symbols.</div> : null}
      {datasets.status === 'ready' && rows.length === 0 ? (
        <div className="empty">No data in the cache.</div>
      ) : null}
      <ul className="symbol-items">
        {rows.map((row) => (
          <li key={row.symbol}>
            <button
              type="button"
              className={row.symbol === selected ? 'symbol-item selected' : 'symbol-item'}
              data-testid="symbol-item"
              data-symbol={row.symbol}
              aria-pressed={row.symbol === selected}
              title={`${row.symbol}: ${formatInteger(row.bars)} ${row.timeframe} bars, ${time.barTime(row.start, row.timeframe)} to ${time.barTime(row.end, row.timeframe)} (${row.source})`}
              onClick={() => selectSymbol(row.symbol)}
            >
              <span className="sym">{row.symbol}</span>
              <span className="symbol-meta">
                {time.date(row.start).slice(0, 7)}→{time.date(row.end).slice(0, 7)}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
