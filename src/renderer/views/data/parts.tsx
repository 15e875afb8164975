import { useApp } from '../../store/context.tsx';
import { JobProgressLine } from '../JobProgressLine.tsx';
import type { DataResult, PanelError } from '../../store/dataStore.ts';
import { useData } from './useData.ts';

/** The failure of one panel, in words the user can act on; a missing-keys error links to Settings. */
export function PanelErrorBox({ panel }: { panel: PanelError['panel'] }) {
  const error = useData((s) => s.errors.find((e) => e.panel === panel));
  const dismiss = useData((s) => s.dismissError);
  const setView = useApp((s) => s.setView);
  if (!error) return null;
  return (
    <div className="notice data-error" role="alert" data-testid={`data-error-${panel}`}>
      <span className="notice-tag">ERROR</span>
      <span className="notice-message" data-testid="data-error-message">
        {error.message}
      </span>
      {error.needsKeys ? (
        <button
          type="button"
          className="ghost-button small"
          data-testid="open-settings"
          onClick={() => setView('settings')}
        >
          Open Settings
        </button>
      ) : null}
      <button type="button" className="notice-close" aria-label="Dismiss" onClick={() => dismiss(panel)}>
        ×
      </button>
    </div>
  );
}

/** Progress of the running import or fetch. */
export function DataJobProgress({ kind }: { kind: 'fetch' | 'import' }) {
  const job = useData((s) => s.job);
  if (!job || job.kind !== kind) return null;
  return <JobProgressLine testId={`${kind}-progress`} progress={job.progress} job={job.label} />;
}

/** The last finished job of this kind, as one line. */
export function LastResult({ kinds }: { kinds: ReadonlyArray<DataResult['kind']> }) {
  const result = useData((s) => s.lastResult);
  if (!result || !kinds.includes(result.kind)) return null;
  return (
    <div className="data-result" data-testid={`${result.kind}-result`}>
      ✓ {result.text}
    </div>
  );
}
