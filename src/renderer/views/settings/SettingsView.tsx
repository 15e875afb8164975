import { useEffect, useState } from 'react';
import type { KeysStatus } from '../../../shared/contract.ts';
import { isTimeZoneSetting, TIME_ZONE_SETTINGS, timeZoneSettingLabel } from '../../../shared/timeZone.ts';
import { useApp } from '../../store/context.tsx';
import { PanelErrorBox } from '../data/parts.tsx';
import { useData, useDataStore } from '../data/useData.ts';
import { ComputePanel } from './ComputePanel.tsx';
import { DefaultsPanel } from './DefaultsPanel.tsx';
import { SessionSelect } from '../fields.tsx';
import '../data/data.css';
import { CostFields } from '../CostFields.tsx';

const SOURCE_LABEL: Record<KeysStatus['alpaca']['source'], string> = {
  keychain: 'saved keys',
  memory: 'saved keys (this session only)',
  environment: 'environment (APCA_API_KEY_ID / APCA_API_SECRET_KEY)',
  none: 'none',
};

function Status({ status }: { status: KeysStatus }) {
  const { alpaca, keychain } = status;
  return (
    <table className="kv-table settings-status" data-testid="keys-status">
      <tbody>
        <tr>
          <th>Alpaca keys</th>
          <td
            className={alpaca.configured ? 'up' : 'down'}
            data-testid="keys-configured"
            data-value={String(alpaca.configured)}
          >
            {alpaca.configured ? 'configured' : 'not configured'}
          </td>
        </tr>
        <tr>
          <th>In use from</th>
          <td data-testid="keys-source" data-value={alpaca.source}>
            {SOURCE_LABEL[alpaca.source]}
          </td>
        </tr>
        <tr>
          <th>Secret store</th>
          <td
            data-testid="keys-keychain"
            data-value={keychain}
            className={keychain === 'memory' ? 'warn' : ''}
          >
            {keychain === 'os' ? 'OS keychain' : 'memory only — no OS keychain reachable'}
          </td>
        </tr>
        <tr>
          <th>Market-data host</th>
          <td data-testid="keys-host">{alpaca.dataBaseUrl}</td>
        </tr>
      </tbody>
    </table>
  );
}

/** The costs every backtest, study and walk-forward from the app pays (the forms show the same fields). */
function CostsPanel() {
  return (
    <section className="panel settings-panel" data-testid="cost-settings">
      <div className="panel-title">Trading costs</div>
      <div className="form">
        <CostFields />
        <p className="settings-text">
          Empty fields take the symbol&apos;s asset-class default: US equities pay no commission but the SEC
          fee and FINRA TAF on sells, half of a 2 bp spread and a square-root impact of 0.01; FX and crypto
          pay nothing beyond the commission until set here. The Backtest and Optimize forms edit the same
          settings, and every result shows a 0 / 10 / 25 bp cost stress.
        </p>
      </div>
    </section>
  );
}

/** The one zone every time in the app is printed in. */
function TimeZonePanel() {
  const timeZone = useApp((s) => s.timeZone);
  const setTimeZone = useApp((s) => s.setTimeZone);
  return (
    <section className="panel settings-panel" data-testid="display-settings">
      <div className="panel-title">Display</div>
      <div className="form">
        <label className="field">
          <span className="field-label">Time zone</span>
          <select
            data-testid="time-zone-select"
            value={timeZone}
            onChange={(e) => {
              if (isTimeZoneSetting(e.target.value)) setTimeZone(e.target.value);
            }}
          >
            {TIME_ZONE_SETTINGS.map((setting) => (
              <option key={setting} value={setting}>
                {timeZoneSettingLabel(setting)}
              </option>
            ))}
          </select>
        </label>
        <p className="settings-text">
          Every time shown (chart labels and tooltips, trade and quality tables) is in this zone; day bars
          show their session date alone. The CLI takes the same choice as <code>--tz</code>.
        </p>
        <SessionSelect
          testId="settings-session"
          className="field"
          labelClassName="field-label"
          label="Trading session"
        />
        <p className="settings-text">
          The bars of every timeframe, backtests and studies keep to this session (the Backtest view and the
          Optimize form show the same setting). The CLI takes it as <code>--session</code>.
        </p>
      </div>
    </section>
  );
}

/** Alpaca API keys: saved to the OS keychain by the services; the page never sees them again. */
export function SettingsView() {
  const store = useDataStore();
  const keys = useData((s) => s.keys);
  const saving = useData((s) => s.savingKeys);
  const saveKeys = useData((s) => s.saveKeys);
  const clearKeys = useData((s) => s.clearKeys);
  const [keyId, setKeyId] = useState('');
  const [secret, setSecret] = useState('');
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    void store.getState().loadKeys();
  }, [store]);

  const status = keys.status === 'ready' ? keys.data : null;
  const canSave = keyId.trim() !== '' && secret.trim() !== '' && !saving;

  return (
    <div className="settings-layout" data-testid="settings-view">
      <section className="panel settings-panel">
        <div className="panel-title">Alpaca market data</div>
        <form
          className="form"
          autoComplete="off"
          onSubmit={(event) => {
            event.preventDefault();
            if (!canSave) return;
            void saveKeys(keyId.trim(), secret.trim()).then((ok) => {
              // The secret leaves the page as soon as the services have it.
              if (ok) {
                setSecret('');
                setKeyId('');
              }
              setSaved(ok);
            });
          }}
        >
          <p className="settings-text">
            Keys are stored in the operating system&apos;s keychain by the Regimen services and are never
            shown again; fetches read them from there. Get them from the Alpaca dashboard (paper or live).
          </p>
          <label className="field">
            <span className="field-label">API key ID</span>
            <input
              data-testid="key-id-input"
              value={keyId}
              autoComplete="off"
              spellCheck={false}
              placeholder={
                status?.alpaca.source === 'keychain' || status?.alpaca.source === 'memory'
                  ? 'saved — enter a new one to replace it'
                  : 'PK…'
              }
              onChange={(e) => {
                setKeyId(e.target.value);
                setSaved(false);
              }}
            />
          </label>
          <label className="field">
            <span className="field-label">Secret key</span>
            <input
              type="password"
              data-testid="secret-input"
              value={secret}
              autoComplete="new-password"
              spellCheck={false}
              onChange={(e) => {
                setSecret(e.target.value);
                setSaved(false);
              }}
            />
          </label>
          <div className="run-row">
            <button type="submit" className="run-button" data-testid="save-keys" disabled={!canSave}>
              {saving ? 'Saving…' : 'Save to keychain'}
            </button>
            <button
              type="button"
              className="ghost-button"
              data-testid="clear-keys"
              disabled={
                saving || (status?.alpaca.source !== 'keychain' && status?.alpaca.source !== 'memory')
              }
              onClick={() => {
                setSaved(false);
                void clearKeys();
              }}
            >
              Clear saved keys
            </button>
          </div>
          {saved ? (
            <div className="data-result" data-testid="keys-saved">
              ✓ Keys saved{status?.keychain === 'memory' ? ' for this session only' : ' to the OS keychain'}.
            </div>
          ) : null}
        </form>
        <PanelErrorBox panel="settings" />
        <div className="panel-title">Status</div>
        {status ? <Status status={status} /> : null}
        {keys.status === 'loading' || keys.status === 'idle' ? <div className="empty">Loading…</div> : null}
        {status?.note ? (
          <div className="settings-warning" data-testid="keychain-warning">
            {status.note}
          </div>
        ) : null}
        {status?.alpaca.source === 'environment' ? (
          <div className="settings-warning">
            APCA_API_KEY_ID and APCA_API_SECRET_KEY are set in the environment of the services and take
            precedence over saved keys.
          </div>
        ) : null}
      </section>
      <DefaultsPanel />
      <TimeZonePanel />
      <CostsPanel />
      <ComputePanel />
    </div>
  );
}
