import type { ImportForm } from '../../store/dataStore.ts';
import { CALENDAR_LABELS } from './CoveragePanel.tsx';
import { DataJobProgress, LastResult, PanelErrorBox } from './parts.tsx';
import { useData } from './useData.ts';

const CALENDAR_CHOICES: readonly ImportForm['calendar'][] = ['auto', 'equities', 'fx', 'crypto'];
const TIME_ZONE_CHOICES: readonly ImportForm['timeZone'][] = ['auto', 'UTC', 'America/New_York'];

/**
 * Import a CSV or Parquet file by path. The path is on the machine the services run on: a browser
 * cannot hand the page a real path, and the desktop app reads the same field.
 */
export function ImportPanel() {
  const form = useData((s) => s.importForm);
  const setForm = useData((s) => s.setImportForm);
  const runImport = useData((s) => s.runImport);
  const job = useData((s) => s.job);

  return (
    <section className="panel" data-testid="import-panel">
      <div className="panel-title">Import file</div>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          void runImport();
        }}
      >
        <label className="field">
          <span className="field-label">Absolute path of a .csv or .parquet file on the Regimen machine</span>
          <input
            data-testid="import-path"
            value={form.path}
            placeholder="/home/me/data/SPY_1min.csv"
            spellCheck={false}
            onChange={(e) => setForm({ path: e.target.value })}
          />
        </label>
        <div className="params">
          <label className="field">
            <span className="field-label">Symbol (default: from file)</span>
            <input
              data-testid="import-symbol"
              value={form.symbol}
              placeholder="auto"
              spellCheck={false}
              onChange={(e) => setForm({ symbol: e.target.value })}
            />
          </label>
          <label className="field">
            <span className="field-label">Timeframe (default: inferred)</span>
            <input
              data-testid="import-timeframe"
              value={form.timeframe}
              placeholder="auto"
              spellCheck={false}
              onChange={(e) => setForm({ timeframe: e.target.value })}
            />
          </label>
          <label
            className="field"
            title="Which hours and days the symbol trades: inferred from the timestamps unless chosen"
          >
            <span className="field-label">Calendar</span>
            <select
              data-testid="import-calendar"
              value={form.calendar}
              onChange={(e) => {
                const chosen = CALENDAR_CHOICES.find((c) => c === e.target.value);
                if (chosen) setForm({ calendar: chosen });
              }}
            >
              {CALENDAR_CHOICES.map((c) => (
                <option key={c} value={c}>
                  {c === 'auto' ? 'auto (inferred)' : CALENDAR_LABELS[c]}
                </option>
              ))}
            </select>
          </label>
          <label
            className="field"
            title="The zone of date-times written without an offset: inferred from where the bars sit in the day and week unless chosen"
          >
            <span className="field-label">Time zone of naive times</span>
            <select
              data-testid="import-time-zone"
              value={form.timeZone}
              onChange={(e) => {
                const chosen = TIME_ZONE_CHOICES.find((z) => z === e.target.value);
                if (chosen) setForm({ timeZone: chosen });
              }}
            >
              {TIME_ZONE_CHOICES.map((z) => (
                <option key={z} value={z}>
                  {z === 'auto' ? 'auto (inferred, else UTC)' : z}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="run-row">
          <button type="submit" className="run-button" data-testid="import-button" disabled={job !== null}>
            {job?.kind === 'import' ? 'Importing…' : 'Import'}
          </button>
        </div>
        <DataJobProgress kind="import" />
      </form>
      <PanelErrorBox panel="import" />
      <LastResult kinds={['import']} />
    </section>
  );
}
