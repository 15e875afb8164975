import type { RedisConnectionNotice } from '../../shared/computeContract.ts';
import { runProgressShare, runProgressText, type RunProgressEvent } from '../../shared/runProgress.ts';
import type { CommandIO } from './command.ts';
import { meter } from './format.ts';

export interface RunProgressLineOptions {
  /** The run whose events to print (a bus or an owner's stream may carry others'). */
  readonly jobId: string;
  /** bar: one meter line redrawn in place (a terminal); lines: a line per event (a log); none. */
  readonly style: 'bar' | 'lines' | 'none';
  /** Says each loss or return of Redis once (a run by the owner; here, the command's own connection says it). */
  readonly sayConnection?: (notice: RedisConnectionNotice | undefined) => void;
}

/**
 * Prints a long run's progress events (a walk-forward's, a scorecard's, a regime comparison's) to stderr,
 * as the app's panels word them: stdout stays the report. A bar ends without a newline: the command
 * writes one when the run ends.
 */
export function runProgressLine(
  io: CommandIO,
  options: RunProgressLineOptions,
): (progress: RunProgressEvent) => void {
  return (progress) => {
    if (progress.jobId !== options.jobId) return;
    options.sayConnection?.(progress.connection);
    if (options.style === 'bar')
      io.err(`\r${meter(runProgressShare(progress), 28)} ${runProgressText(progress)}\x1b[K`);
    else if (options.style === 'lines') io.err(`progress ${runProgressText(progress)}\n`);
  };
}
