import { useState } from 'react';
import type { ImportForm } from '../../store/dataStore.ts';
import { CALENDAR_LABELS } from './CoveragePanel.tsx';
import { DataJobProgress, LastResult, PanelErrorBox } from './parts.tsx';
import { ChoiceField } from '../fields.tsx';
import { useData } from './useData.ts';

const CALENDAR_CHOICES: readonly ImportForm['calendar'][] = ['auto', 'equities', 'fx', 'crypto'];
const TIME_ZONE_CHOICES: readonly ImportForm['timeZone'][] = ['auto', 'UTC', 'America/New_York'];

/**
 * Import a CSV or Parquet file: picked or dropped (the form's options apply), or by a path on the machine
 * the services run on, for files a browser cannot reach (a server's own disk).
 */
export function ImportPanel() {
  const form = useData((s) => s.importForm);
  const setForm = useData((s) => s.setImportForm);
  const runImport = useData((s) => s.runImport);
  const importPicked = useData((s) => s.importPicked);
  const job = useData((s) => s.job);
  const [dragging, setDragging] = useState(false);

  const take = (files: FileList | null): void => {
    const file = files?.[0];
    if (file) void importPicked(file);
  };

  return (
    <section
      className={dragging ? 'panel import-drop dragging' : 'panel import-drop'}
      data-testid="import-panel"
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(event) => {
        event.preventDefault();
        setDragging(false);
        if (job === null) take(event.dataTransfer.files);
      }}
    >
      <div className="panel-title">Import file</div>
      <label className="field">
        <span className="field-label">
          Pick or drop a .csv or .parquet file here (the options below apply)
        </span>
        <input
          type="file"
          data-testid="import-file"
          accept=".csv,.parquet,.pq"
          disabled={job !== null}
          onChange={(e) => {
            take(e.target.files);
            // The same file picked again is a new import.
            e.target.value = '';
          }}
        />
      </label>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          void runImport();
        }}
      >
        <label className="field">
          <span className="field-label">Or the absolute path of a file on the Regimen machine</span>
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
          <ChoiceField
            label="Calendar"
            title="Which hours and days the symbol trades: inferred from the timestamps unless chosen"
            testId="import-calendar"
            value={form.calendar}
            choices={CALENDAR_CHOICES}
            describe={(c) => (c === 'auto' ? 'auto (inferred)' : CALENDAR_LABELS[c])}
            onChange={(calendar) => setForm({ calendar })}
          />
          <ChoiceField
            label="Time zone of naive times"
            title="The zone of date-times written without an offset: inferred from where the bars sit in the day and week unless chosen"
            testId="import-time-zone"
            value={form.timeZone}
            choices={TIME_ZONE_CHOICES}
            describe={(z) => (z === 'auto' ? 'auto (inferred, else UTC)' : z)}
            onChange={(timeZone) => setForm({ timeZone })}
          />
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
