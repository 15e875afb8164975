import type { DatasetCoverage } from '../../../shared/contract.ts';
import { formatInteger, formatUtcDate } from '../../format.ts';
import { useTimeFormat } from '../../timeFormat.ts';
import { PanelErrorBox } from './parts.tsx';
import { useData } from './useData.ts';

/** What each calendar means, as the coverage table and the import form name it. */
export const CALENDAR_LABELS: Readonly<Record<DatasetCoverage['calendar'], string>> = {
  equities: 'equities (NYSE)',
  fx: 'FX (24/5)',
  crypto: 'crypto (24/7)',
};

/** Timeframes the cache resamples from stored 1-minute bars when they are read. */
const DERIVED = ['5m', '15m', '1h', '1d'];

function fetchedRanges(d: DatasetCoverage): string {
  if (d.coverage.length === 0) return '—';
  return (
    d.coverage
      // UTC dates, as the fetch form takes them (a range starts at 00:00 UTC, before New York's day begins).
      .map((c) => `${c.adjustment}/${c.feed} ${formatUtcDate(c.start)} → ${formatUtcDate(c.end - 1)}`)
      .join(' · ')
  );
}

/** What the local cache holds: one row per symbol and stored timeframe, with its span and source. */
export function CoveragePanel() {
  const coverage = useData((s) => s.coverage);
  const selected = useData((s) => s.selected);
  const select = useData((s) => s.select);
  const loadCoverage = useData((s) => s.loadCoverage);
  const time = useTimeFormat();
  const rows = coverage.status === 'ready' ? coverage.data : [];
  const symbols = new Set(rows.map((r) => r.symbol)).size;
  const totalBars = rows.reduce((sum, r) => sum + r.bars, 0);

  return (
    <section className="panel data-coverage" data-testid="coverage-panel">
      <div className="panel-title">
        Cached market data
        {coverage.status === 'ready' ? (
          <span className="panel-sub">
            {symbols} symbols · {rows.length} datasets · {formatInteger(totalBars)} bars
          </span>
        ) : null}
        <span className="status-spacer" />
        <button
          type="button"
          className="ghost-button small"
          data-testid="coverage-refresh"
          onClick={() => void loadCoverage()}
        >
          Refresh
        </button>
      </div>
      <PanelErrorBox panel="coverage" />
      {coverage.status === 'loading' || coverage.status === 'idle' ? (
        <div className="empty">Loading…</div>
      ) : null}
      {coverage.status === 'ready' && rows.length === 0 ? (
        <div className="empty">No data cached yet: fetch from Alpaca or import a file.</div>
      ) : null}
      {rows.length > 0 ? (
        <div className="data-scroll">
          <table className="grid-table data-table" data-testid="coverage-table">
            <thead>
              <tr>
                <th>Symbol</th>
                <th title="The symbol's market calendar: which hours and days its bars and gaps are judged by">
                  Calendar
                </th>
                <th>TF</th>
                <th className="num">Bars</th>
                <th>First</th>
                <th>Last</th>
                <th>Source</th>
                <th>Fetched from Alpaca (UTC dates)</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d, i) => {
                const isSelected = selected?.symbol === d.symbol && selected.timeframe === d.timeframe;
                const firstOfSymbol = i === 0 || rows[i - 1]?.symbol !== d.symbol;
                return (
                  <tr
                    key={`${d.symbol}:${d.timeframe}`}
                    className={`${isSelected ? 'selected' : ''} ${firstOfSymbol ? 'group-start' : ''}`}
                    data-testid="coverage-row"
                    data-symbol={d.symbol}
                    data-timeframe={d.timeframe}
                    data-bars={d.bars}
                    aria-selected={isSelected}
                    onClick={() => select({ symbol: d.symbol, timeframe: d.timeframe })}
                  >
                    <td className="sym">{firstOfSymbol ? d.symbol : ''}</td>
                    <td data-testid="coverage-calendar">
                      {firstOfSymbol ? CALENDAR_LABELS[d.calendar] : ''}
                    </td>
                    <td className="tf">{d.timeframe}</td>
                    <td className="num">{formatInteger(d.bars)}</td>
                    <td>{time.barTime(d.start, d.timeframe)}</td>
                    <td>{time.barTime(d.end, d.timeframe)}</td>
                    <td>
                      <span className={`source-chip source-${d.source.replace(/[^a-z]/gi, '')}`}>
                        {d.source}
                      </span>
                    </td>
                    <td className="ranges" title={fetchedRanges(d)}>
                      {fetchedRanges(d)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {rows.some((r) => r.timeframe === '1m') ? (
            <div className="data-note">
              {DERIVED.join(' · ')} are resampled from 1m bars on read (regular session, aligned to the 09:30
              open).
            </div>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
