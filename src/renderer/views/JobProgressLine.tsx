import type { JobProgress } from '../../shared/contract.ts';

/** A running job's progress from its `job:progress` events; indeterminate until the first one. */
export function JobProgressLine({
  testId,
  progress,
  job,
}: {
  testId: string;
  progress: JobProgress | null;
  /** What the job works on, before its stage (e.g. "SPY 1Min"). */
  job?: string;
}) {
  const fraction = progress && progress.total > 0 ? Math.min(1, progress.done / progress.total) : null;
  const stage = progress
    ? `${progress.message ?? progress.stage}${fraction !== null ? ` · ${Math.round(fraction * 100)}%` : ''}`
    : 'starting…';
  return (
    <div
      className="progress"
      data-testid={testId}
      role="progressbar"
      aria-valuenow={fraction === null ? undefined : Math.round(fraction * 100)}
      aria-valuemin={0}
      aria-valuemax={100}
    >
      <progress className="progress-bar" max={1} value={fraction ?? undefined} />
      <div className="progress-label">{job === undefined ? stage : `${job} — ${stage}`}</div>
    </div>
  );
}
