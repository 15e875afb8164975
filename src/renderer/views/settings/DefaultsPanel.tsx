import { useEffect, useState } from 'react';
import type { SettingsPatch, SettingsState } from '../../../shared/settingsContract.ts';
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

/** One number of the record, saved when the field is left or Enter pressed; a refusal names the setting. */
function NumberSetting({ field, state }: { field: (typeof FIELDS)[number]; state: SettingsState }) {
  const saveSettings = useApp((s) => s.saveSettings);
  const stored = state.settings[field.key];
  const [text, setText] = useState(stored === null ? '' : String(stored));
  useEffect(() => setText(stored === null ? '' : String(stored)), [stored]);
  const save = (): void => {
    const trimmed = text.trim();
    if (trimmed === (stored === null ? '' : String(stored))) return;
    const value = trimmed === '' && field.key === 'workers' ? null : Number(trimmed);
    void saveSettings({ [field.key]: value } as SettingsPatch);
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

/** Settings > Defaults: the record's numbers and where the data lives (settings.json in that folder). */
export function DefaultsPanel() {
  const state = useApp((s) => s.settings);
  if (state === null) return null;
  const { workers, dataFolder } = state;
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
        <p className="settings-text" data-testid="settings-data-folder">
          Data folder (cache, strategies, studies, settings): <code>{dataFolder.current}</code>
          {dataFolder.next === null ? null : (
            <>
              ; from the next start <code>{dataFolder.next}</code>
            </>
          )}
          . Move or switch it with <code>regimen settings data-folder FOLDER --move|--switch</code>.
        </p>
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
