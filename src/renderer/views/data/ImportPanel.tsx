import { DataJobProgress, LastResult, PanelErrorBox } from './parts.tsx';
import { useData } from './useData.ts';

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
