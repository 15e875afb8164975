import { useApp } from '../../store/context.tsx';

/** Progress of the running backtest from `job:progress` events; indeterminate until the first one. */
export function JobProgressBar() {
  const job = useApp((s) => s.job);
  if (!job) return null;
  const progress = job.progress;
  const fraction = progress && progress.total > 0 ? Math.min(1, progress.done / progress.total) : null;
  const label = progress
    ? `${progress.message ?? progress.stage}${fraction !== null ? ` · ${Math.round(fraction * 100)}%` : ''}`
    : 'starting…';
  return (
    <div
      className="progress"
      data-testid="backtest-progress"
      role="progressbar"
      aria-valuenow={fraction ?? undefined}
    >
      <progress
        className={fraction === null ? 'progress-bar indeterminate' : 'progress-bar'}
        max={1}
        value={fraction ?? undefined}
      />
      <div className="progress-label">{label}</div>
    </div>
  );
}
