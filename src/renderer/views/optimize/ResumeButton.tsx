import type { StudyState } from '../../../shared/contract.ts';
import { useOptimize } from '../../store/optimizeContext.tsx';

/** A study stopped before its budget was spent can carry on; a finished or failed one cannot. */
export function isResumable(state: StudyState, done: number, total: number): boolean {
  return (state === 'paused' || state === 'cancelled') && done < total;
}

export function ResumeButton({
  studyId,
  testId,
  className,
}: {
  studyId: string;
  testId: string;
  className: string;
}) {
  const resume = useOptimize((s) => s.resume);
  const resuming = useOptimize((s) => s.resuming);
  return (
    <button
      type="button"
      className={className}
      data-testid={testId}
      disabled={resuming !== null}
      onClick={() => void resume(studyId)}
    >
      {resuming === studyId ? 'Resuming…' : 'Resume'}
    </button>
  );
}
