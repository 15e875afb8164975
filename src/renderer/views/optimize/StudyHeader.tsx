import { formatDuration, formatInteger, formatNumber } from '../../format.ts';
import { useOptimize } from '../../store/optimizeContext.tsx';
import { metricLabel } from '../../metricFormat.ts';
import { ConnectionNotice } from './ConnectionNotice.tsx';
import { isResumable, ResumeButton } from './ResumeButton.tsx';

/** What the study on screen is, how far it has got (trials/s, ETA), and cancel or resume. */
export function StudyHeader() {
  const study = useOptimize((s) => s.study);
  const progress = useOptimize((s) => s.progress);
  const center = useOptimize((s) => s.center);
  const inspection = useOptimize((s) => s.inspection);
  const setCenter = useOptimize((s) => s.setCenter);
  const cancel = useOptimize((s) => s.cancel);
  const alreadyComplete = useOptimize((s) => s.alreadyComplete);

  if (!study) {
    return (
      <div className="toolbar opt-header" data-testid="opt-header">
        <span className="opt-muted">
          Set up a study on the left and start it, or open a past one. Trials appear here as they finish.
        </span>
      </div>
    );
  }
  const summary = study.detail?.summary ?? null;
  const state = progress?.state ?? summary?.state ?? 'running';
  const done = progress?.done ?? summary?.trialsDone ?? 0;
  const total = progress?.total ?? summary?.trialsTotal ?? 0;
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const running = state === 'running';
  const resumable = isResumable(state, done, total);
  // Progress events carry the notice once Redis was lost; a study opened during an outage has only its record's.
  const connection = running ? (progress?.connection ?? summary?.connection) : undefined;

  return (
    <div className="toolbar opt-header" data-testid="opt-header" data-state={state}>
      <span className="toolbar-symbol" data-testid="opt-header-symbols">
        {summary ? (summary.symbols ?? [summary.symbol]).join(', ') : '…'}
      </span>
      <span className="opt-header-meta">
        {summary
          ? `${summary.timeframes.join('+')} · ${summary.strategy} · ${summary.sampler} · ${summary.mode} · ${summary.objectives
              .map((o) => `${metricLabel(o.metric)} (${o.direction === 'maximize' ? 'max' : 'min'})`)
              .join(', ')} · seed ${summary.seed}`
          : 'loading…'}
      </span>
      <span className={`opt-state ${state}`} data-testid="opt-state">
        {state}
      </span>
      <div
        className="opt-progress"
        data-testid="opt-progress"
        data-done={done}
        data-total={total}
        role="progressbar"
        aria-valuenow={fraction}
      >
        <progress className="progress-bar" max={1} value={fraction} />
        <span className="opt-progress-label">
          {formatInteger(done)}/{formatInteger(total)}
          {progress && progress.failed > 0 ? <span className="down"> · {progress.failed} failed</span> : null}
          {running && progress ? ` · ${formatNumber(progress.trialsPerSecond, 1)} trials/s` : ''}
          {running && progress?.etaSeconds !== null && progress?.etaSeconds !== undefined
            ? ` · ETA ${progress.etaSeconds < 60 ? `${Math.ceil(progress.etaSeconds)}s` : formatDuration(progress.etaSeconds * 1000)}`
            : ''}
        </span>
      </div>
      {progress?.error ? <span className="error-text opt-header-error">{progress.error}</span> : null}
      {connection ? <ConnectionNotice notice={connection} /> : null}
      {alreadyComplete === study.id ? (
        <span className="opt-muted" data-testid="opt-already-complete">
          Already complete: every trial has run, nothing to resume
        </span>
      ) : null}
      <span className="status-spacer" />
      <div className="segmented" role="group" aria-label="Centre view">
        <button
          type="button"
          className={center === 'search' ? 'seg active' : 'seg'}
          data-testid="opt-show-search"
          onClick={() => setCenter('search')}
        >
          Search
        </button>
        <button
          type="button"
          className={center === 'inspect' ? 'seg active' : 'seg'}
          data-testid="opt-show-inspect"
          disabled={!inspection}
          onClick={() => setCenter('inspect')}
        >
          {inspection ? `Trial #${inspection.trialNumber}` : 'Trial'}
        </button>
      </div>
      {running ? (
        <button
          type="button"
          className="ghost-button small opt-cancel"
          data-testid="opt-cancel"
          title="Stop the study; finished trials are kept and it can be resumed"
          onClick={() => void cancel()}
        >
          Cancel
        </button>
      ) : null}
      {resumable ? (
        <ResumeButton studyId={study.id} testId="opt-resume" className="ghost-button small" />
      ) : null}
    </div>
  );
}
