import { useCallback, useEffect, useState } from 'react';
import type { RegimeUpdateSettings, RegimeUpdatesView } from '../../../shared/contract.ts';
import type { RegimenClient } from '../../../shared/client.ts';
import { DETECTOR_NAMES, REGIME_UPDATE_AXES } from '../../../shared/liveChoices.ts';
import type { Act } from './useLive.ts';

const when = (at: number): string => new Date(at).toISOString().slice(0, 16).replace('T', ' ');

/**
 * A bot's regime-driven updates, as `regimen live regime-updates set|show` edits and shows them through
 * the same channels: on or off, the policy (detector, axis, confidence, minimum dwell, the daily check),
 * the last regime change seen and the last proposal with what became of it.
 */
export function RegimeUpdatesSection({ bot, client, act }: { bot: string; client: RegimenClient; act: Act }) {
  const [view, setView] = useState<RegimeUpdatesView | null>(null);
  const [draft, setDraft] = useState<RegimeUpdateSettings | null>(null);

  const load = useCallback(async () => {
    setView(await client.invoke('live:regime-updates', { bot }));
  }, [client, bot]);
  useEffect(() => {
    void act(load);
  }, [act, load]);

  if (view === null) return null;
  const { settings, last, lastRegimeChange, lastProposal } = view;
  const save = (settings: RegimeUpdateSettings) =>
    void act(async () => {
      setView(await client.invoke('live:regime-updates-set', { bot, settings }));
      setDraft(null);
    });
  const edit = draft ?? settings;
  const change = (patch: Partial<RegimeUpdateSettings>) => setDraft({ ...edit, ...patch });
  return (
    <div className="live-regime" data-testid="live-regime-updates" data-enabled={settings.enabled}>
      <div className="live-line">
        <b>Regime updates</b>{' '}
        {settings.enabled ? (
          <span data-testid="live-regime-policy">
            on: {settings.detector} detector, {settings.axis} axis, confidence ≥ {settings.threshold},{' '}
            {settings.minDwellHours} h minimum dwell, a daily check at {settings.dailyAt} {settings.timeZone}
            {settings.tradingDaysOnly ? ' on trading days' : ' every day'}
          </span>
        ) : (
          'off'
        )}
        <button
          type="button"
          className="ghost-button small"
          data-testid="live-regime-edit"
          onClick={() => setDraft(draft === null ? settings : null)}
        >
          {draft === null ? 'Edit' : 'Cancel'}
        </button>
      </div>
      {draft !== null ? (
        <form
          className="live-actions"
          onSubmit={(e) => {
            e.preventDefault();
            save(edit);
          }}
        >
          <label>
            <input
              type="checkbox"
              data-testid="live-regime-enabled"
              checked={edit.enabled}
              onChange={(e) => change({ enabled: e.target.checked })}
            />{' '}
            on
          </label>
          <select
            aria-label="detector"
            value={edit.detector}
            onChange={(e) => change({ detector: e.target.value as RegimeUpdateSettings['detector'] })}
          >
            {DETECTOR_NAMES.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
          <select
            aria-label="axis"
            data-testid="live-regime-axis"
            value={edit.axis}
            onChange={(e) => change({ axis: e.target.value as RegimeUpdateSettings['axis'] })}
          >
            {REGIME_UPDATE_AXES.map((axis) => (
              <option key={axis}>{axis}</option>
            ))}
          </select>
          <label>
            confidence ≥{' '}
            <input
              type="number"
              step="0.05"
              data-testid="live-regime-threshold"
              value={edit.threshold}
              onChange={(e) => change({ threshold: Number(e.target.value) })}
            />
          </label>
          <label>
            dwell (h){' '}
            <input
              type="number"
              data-testid="live-regime-dwell"
              value={edit.minDwellHours}
              onChange={(e) => change({ minDwellHours: Number(e.target.value) })}
            />
          </label>
          <label>
            daily at{' '}
            <input
              type="time"
              data-testid="live-regime-daily-at"
              value={edit.dailyAt}
              onChange={(e) => change({ dailyAt: e.target.value })}
            />
          </label>
          <label>
            zone{' '}
            <input
              type="text"
              size={16}
              data-testid="live-regime-zone"
              value={edit.timeZone}
              onChange={(e) => change({ timeZone: e.target.value })}
            />
          </label>
          <label>
            <input
              type="checkbox"
              data-testid="live-regime-trading-days"
              checked={edit.tradingDaysOnly}
              onChange={(e) => change({ tradingDaysOnly: e.target.checked })}
            />{' '}
            trading days only
          </label>
          <button type="submit" className="ghost-button small" data-testid="live-regime-save">
            Save
          </button>
        </form>
      ) : null}
      <div className="live-line muted" data-testid="live-regime-last">
        {lastRegimeChange === null
          ? 'No regime change seen yet'
          : `Last regime change ${when(lastRegimeChange.at)}: ${lastRegimeChange.from ?? '(start)'} → ${lastRegimeChange.regime}`}
        {' · '}
        {lastProposal === null
          ? 'no proposal yet'
          : `last proposal ${when(lastProposal.at)}: ${lastProposal.action === 'pushed' ? 'pushed' : 'waits for a person'} (${lastProposal.detail})`}
        {last?.action === 'failed' ? <span className="bad"> · {last.detail}</span> : null}
      </div>
    </div>
  );
}
