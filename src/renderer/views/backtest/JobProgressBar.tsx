import { useApp } from '../../store/context.tsx';
import { JobProgressLine } from '../JobProgressLine.tsx';

/** Progress of the running backtest. */
export function JobProgressBar() {
  const job = useApp((s) => s.job);
  if (!job) return null;
  return <JobProgressLine testId="backtest-progress" progress={job.progress} />;
}
