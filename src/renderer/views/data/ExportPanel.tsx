import { useState } from 'react';
import type { Timeframe } from '../../../core/data/bars.ts';
import { dayStart } from '../../format.ts';
import { finestAvailable, TIMEFRAME_CHOICES, timeframeReasons } from '../../timeframes.ts';
import { LastResult, PanelErrorBox } from './parts.tsx';
import { ChoiceField, DateField } from '../fields.tsx';
import { useData } from './useData.ts';

const FORMATS = ['csv', 'parquet'] as const;

/**
 * Export a cached symbol as CSV or Parquet, in any timeframe it can be read in (stored or derived), over
 * its whole span or the dates given: the same export as `regimen data export`, saved where the user says.
 */
export function ExportPanel() {
  const coverage = useData((s) => s.coverage);
  const selected = useData((s) => s.selected);
  const exporting = useData((s) => s.exporting);
  const runExport = useData((s) => s.runExport);
  const [chosen, setChosen] = useState<{ symbol: string; timeframe: Timeframe | null }>({
    symbol: '',
    timeframe: null,
  });
  const [format, setFormat] = useState<(typeof FORMATS)[number]>('csv');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const datasets = coverage.status === 'ready' ? coverage.data : [];
  const symbols = [...new Set(datasets.map((d) => d.symbol))].sort();
  // The symbol chosen here, else the one selected in the coverage table; its timeframe likewise.
  const symbol = symbols.includes(chosen.symbol) ? chosen.symbol : (selected?.symbol ?? symbols[0] ?? '');
  const reasons = timeframeReasons(datasets, symbol);
  const selectedTimeframe = selected?.symbol === symbol ? (selected.timeframe as Timeframe) : null;
  const timeframe =
    [chosen.timeframe, selectedTimeframe].find((tf) => tf !== null && reasons[tf] === null) ??
    finestAvailable(reasons);
  const from = dayStart(start);
  const to = dayStart(end, true);
  const problem =
    symbol === ''
      ? 'Nothing cached to export yet'
      : from !== undefined && to !== undefined && to <= from
        ? 'The end date is before the start date'
        : null;

  return (
    <section className="panel" data-testid="export-panel">
      <div className="panel-title">Export bars</div>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          if (problem !== null || timeframe === null) return;
          void runExport({
            symbol,
            timeframe,
            format,
            ...(from === undefined ? {} : { start: from }),
            ...(to === undefined ? {} : { end: to }),
          });
        }}
      >
        <div className="params">
          <ChoiceField
            label="Symbol"
            title="A cached symbol (the one selected in the coverage table unless chosen here)"
            testId="export-symbol"
            value={symbol}
            choices={symbols}
            describe={(s) => s}
            onChange={(s) => setChosen({ symbol: s, timeframe: null })}
          />
          <label className="field">
            <span className="field-label">Timeframe</span>
            <select
              data-testid="export-timeframe"
              value={timeframe ?? ''}
              onChange={(e) =>
                setChosen({
                  symbol,
                  timeframe: TIMEFRAME_CHOICES.find((tf) => tf === e.target.value) ?? null,
                })
              }
            >
              {TIMEFRAME_CHOICES.map((tf) => (
                <option key={tf} value={tf} disabled={reasons[tf] !== null} title={reasons[tf] ?? undefined}>
                  {tf}
                </option>
              ))}
            </select>
          </label>
          <DateField
            label="From (UTC date, optional)"
            testId="export-start"
            value={start}
            onChange={setStart}
          />
          <DateField label="To (inclusive, optional)" testId="export-end" value={end} onChange={setEnd} />
          <ChoiceField
            label="Format"
            title="CSV: timestamp,open,high,low,close,volume with UTC ISO times. Parquet: the same columns, a UTC timestamp"
            testId="export-format"
            value={format}
            choices={FORMATS}
            describe={(f) => (f === 'csv' ? 'CSV' : 'Parquet')}
            onChange={setFormat}
          />
        </div>
        <div className="run-row">
          <button
            type="submit"
            className="run-button"
            data-testid="export-button"
            disabled={exporting || problem !== null || timeframe === null}
            title={problem ?? undefined}
          >
            {exporting ? 'Exporting…' : 'Export'}
          </button>
        </div>
      </form>
      <PanelErrorBox panel="export" />
      <LastResult kinds={['export']} />
    </section>
  );
}
