import type { RunProgressEvent } from '../../shared/runProgress.ts';
import { runProgressShare, runProgressText } from '../../shared/runProgress.ts';
import { JobProgressLine } from './JobProgressLine.tsx';
import { ConnectionNotice } from './optimize/ConnectionNotice.tsx';

/**
 * A long run's bar from its progress events (a walk-forward's, the scorecard's, a regime comparison's):
 * the share done as the bar, the CLI's words as its label ("optimised and regime-aware policies · 2 of 5
 * windows done · ~40 s left"), and the Redis notice while its trials wait on a lost Redis. Indeterminate
 * until the first event.
 */
export function RunProgressLine({
  testId,
  progress,
  stage,
  className,
}: {
  testId: string;
  progress: RunProgressEvent | null;
  /** What the run is, for the label before its first event ("walk-forward"). */
  stage: string;
  className?: string;
}) {
  return (
    <div className={className}>
      <JobProgressLine
        testId={testId}
        progress={
          progress === null
            ? null
            : {
                jobId: progress.jobId,
                stage,
                done: runProgressShare(progress),
                total: 1,
                message: runProgressText(progress),
              }
        }
      />
      {progress?.connection ? (
        <ConnectionNotice notice={progress.connection} testId={`${testId}-connection`} />
      ) : null}
    </div>
  );
}
