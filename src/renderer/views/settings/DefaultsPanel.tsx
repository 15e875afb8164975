import { useEffect, useState } from 'react';
import type { SettingsPatch, SettingsState } from '../../../shared/settingsContract.ts';
import { errorMessage } from '../../client/clientError.ts';
import { useApp } from '../../store/context.tsx';

type NumberKey = 'cash' | 'commissionPercent' | 'riskFreePercent' | 'workers';

const FIELDS: ReadonlyArray<{ key: NumberKey; label: string; hint: string }> = [
  { key: 'cash', label: 'Default cash', hint: 'every backtest, study and walk-forward' },
  { key: 'commissionPercent', label: 'Commission (%)', hint: '0.1 means 0.1 % of traded value' },
  {
    key: 'riskFreePercent',
    label: 'Risk-free rate (% a year)',
    hint: 'Sharpe and Sortino measure excess over it',
  },
  { key: 'workers', label: 'Worker threads', hint: 'empty: one per core' },
];

/**
 * One number of the record, saved when the field is left or Enter pressed; a refusal names the setting
 * (the app's error notice) and the field shows the value in force again: it kept the refused -5, as if
 * saved, and leaving it sent the same refusal a second time.
 */
function NumberSetting({ field, state }: { field: (typeof FIELDS)[number]; state: SettingsState }) {
  const saveSettings = useApp((s) => s.saveSettings);
  const stored = state.settings[field.key];
  const storedText = stored === null ? '' : String(stored);
  const [text, setText] = useState(storedText);
  useEffect(() => setText(storedText), [storedText]);
  const save = (): void => {
    const trimmed = text.trim();
    if (trimmed === storedText) return;
    const value = trimmed === '' && field.key === 'workers' ? null : Number(trimmed);
    void saveSettings({ [field.key]: value } as SettingsPatch).then((saved) => {
      if (!saved) setText(storedText);
    });
  };
  return (
    <label className="field">
      <span className="field-label">{field.label}</span>
      <input
        data-testid={`setting-${field.key}`}
        inputMode="decimal"
        value={text}
        title={field.hint}
        onChange={(e) => setText(e.target.value)}
        onBlur={save}
        onKeyDown={(e) => {
          if (e.key === 'Enter') save();
        }}
      />
    </label>
  );
}

const FOLDER_ACTIONS = [
  {
    mode: 'move',
    label: 'Move here',
    title: "Copy this folder's data there (an empty folder) and open it from the next start",
  },
  {
    mode: 'switch',
    label: 'Switch to',
    title: 'Open that folder, with whatever it holds, from the next start',
  },
] as const;

/**
 * Where the data lives from the next start: "Move here" copies this folder's data to an empty one (main
 * flushes the cache first and refuses a folder holding one), "Switch to" opens a folder as it is. The
 * running services keep the current folder until Regimen is restarted.
 */
function DataFolderForm({ state }: { state: SettingsState }) {
  const client = useApp((s) => s.client);
  const { dataFolder } = state;
  const [folder, setFolder] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const change = (mode: 'move' | 'switch'): void => {
    setBusy(true);
    setOutcome(null);
    // The new state arrives as settings:changed, which every window adopts.
    client
      .invoke('settings:data-folder', { folder: folder.trim(), mode })
      .then(
        ({ message }) => setOutcome({ ok: true, text: message }),
        (error: unknown) => setOutcome({ ok: false, text: errorMessage(error) }),
      )
      .finally(() => setBusy(false));
  };
  const canSend = folder.trim() !== '' && !busy;
  return (
    <>
      <p className="settings-text" data-testid="settings-data-folder">
        Data folder (cache, strategies, studies, settings): <code>{dataFolder.current}</code>
      </p>
      <label className="field">
        <span className="field-label">New data folder (absolute path)</span>
        <input
          data-testid="data-folder-input"
          value={folder}
          spellCheck={false}
          placeholder="/home/me/regimen"
          onChange={(e) => {
            setFolder(e.target.value);
            setOutcome(null);
          }}
        />
      </label>
      <div className="run-row">
        {FOLDER_ACTIONS.map((action) => (
          <button
            key={action.mode}
            type="button"
            className="ghost-button"
            data-testid={`data-folder-${action.mode}`}
            disabled={!canSend}
            title={action.title}
            onClick={() => change(action.mode)}
          >
            {action.label}
          </button>
        ))}
      </div>
      {outcome === null ? null : (
        <div
          className={outcome.ok ? 'data-result' : 'settings-warning'}
          data-testid={outcome.ok ? 'data-folder-message' : 'data-folder-error'}
        >
          {outcome.text}
        </div>
      )}
      {dataFolder.next === null ? null : (
        <div className="settings-warning" data-testid="data-folder-restart">
          Restart Regimen to open <code>{dataFolder.next}</code>: until then it keeps using{' '}
          <code>{dataFolder.current}</code>.
        </div>
      )}
      <p className="settings-text">
        The CLI does the same with <code>regimen settings data-folder FOLDER --move|--switch</code>.
      </p>
    </>
  );
}

/** Settings > Defaults: the record's numbers and where the data lives (settings.json in that folder). */
export function DefaultsPanel() {
  const state = useApp((s) => s.settings);
  if (state === null) return null;
  const { workers } = state;
  return (
    <section className="panel settings-panel" data-testid="default-settings">
      <div className="panel-title">Defaults</div>
      <div className="form">
        {FIELDS.map((field) => (
          <NumberSetting key={field.key} field={field} state={state} />
        ))}
        <p className="settings-text" data-testid="settings-workers">
          The compute pool runs {workers.running} thread{workers.running === 1 ? '' : 's'} of {workers.cores}{' '}
          cores
          {workers.restartNeeded
            ? ': it was computing when the setting changed, so the new number applies at the next start.'
            : '.'}
        </p>
        <DataFolderForm state={state} />
        {state.problem === null ? null : (
          <div className="settings-warning" data-testid="settings-problem">
            {state.problem}
          </div>
        )}
        <p className="settings-text">
          Kept by the services in the data folder: every window, <code>regimen serve</code> and the CLI&apos;s
          flags (<code>regimen settings show</code>) use the same values.
        </p>
      </div>
    </section>
  );
}
