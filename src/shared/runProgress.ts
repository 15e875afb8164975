/**
 * How far a long run has got, one shape for each run that reports it (walkforward:progress, the
 * scorecard's learner:scorecard-progress, the regime comparison's regimes:compare-progress): its part
 * (a phase), windows done of the part's total, the window whose trials are running, a rough time left,
 * and the Redis notice while its trials compute there. The share, the words and the schema are here
 * once, for the services, the panels and the CLI.
 */
import { z } from 'zod';
import { RedisConnectionNotice } from './computeContract.ts';
import { jobIdSchema } from './schemas.ts';

export const RunProgressEvent = z.object({
  jobId: jobIdSchema,
  /**
   * A run of several parts (the scorecard's policies, a comparison's full-sample study then its windows):
   * the part running, with the share of the whole run it spans (from, to), a rough estimate fixed before
   * the run; the windows below are the part's. Absent: the run is one part (a walk-forward).
   */
  phase: z
    .object({ name: z.string().min(1), from: z.number().min(0).max(1), to: z.number().min(0).max(1) })
    .optional(),
  /** Windows whose test part is done, of the windows the settings cut (0 of 0: a part without windows). */
  windowsDone: z.number().int().min(0),
  windowsTotal: z.number().int().min(0),
  /** The window whose train part is being optimised (0-based index); null between windows and at the end. */
  window: z
    .object({
      index: z.number().int().min(0),
      trialsDone: z.number().int().min(0),
      trialsTotal: z.number().int().min(0),
    })
    .nullable(),
  elapsedMs: z.number().min(0),
  /**
   * Rough seconds left, from the run's measured pace: the rest of the running part at the pace of its
   * own windows and trials so far (as if every window cost the same: rolling windows do, anchored ones
   * grow), then the parts after it at the pace of the parts done (seconds per share of the run); null
   * until something is done.
   */
  etaSeconds: z.number().min(0).nullable(),
  /** As on optimize:progress: Redis lost (the trials wait) or back since, from then on. */
  connection: RedisConnectionNotice.optional(),
});

export type RunProgressEvent = z.output<typeof RunProgressEvent>;

type Counts = Pick<RunProgressEvent, 'phase' | 'windowsDone' | 'windowsTotal' | 'window'>;

/**
 * The share of the running part done, 0 to 1: its finished windows and the current window's trials (a
 * window is mostly its train study); 0 for a part without windows.
 */
export function runPartShare({ windowsDone, windowsTotal, window }: Omit<Counts, 'phase'>): number {
  if (windowsTotal <= 0) return 0;
  const current = window !== null && window.trialsTotal > 0 ? window.trialsDone / window.trialsTotal : 0;
  return Math.min(1, (windowsDone + current) / windowsTotal);
}

/**
 * The share of a run done, 0 to 1: its part's start, then the part's share done over the part's span.
 * The bar and the CLI's meter.
 */
export function runProgressShare(counts: Counts): number {
  const from = counts.phase?.from ?? 0;
  const to = counts.phase?.to ?? 1;
  return from + (to - from) * runPartShare(counts);
}

/** "~40 s", "~3 min", "~1 h 20 min": a rough time left reads as rough. */
function roughDuration(seconds: number): string {
  if (seconds < 60) return `~${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `~${minutes} min` : `~${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * "window 3 of 10 · trials 120 / 500 · ~2 min left" (between windows: "3 of 10 windows done"), after the
 * part's name in a run of several ("learner policy · ~1 min left"): how the panels and the CLI say a
 * run's progress.
 */
export function runProgressText(progress: RunProgressEvent): string {
  const { phase, windowsDone, windowsTotal, window, etaSeconds } = progress;
  const parts = phase === undefined ? [] : [phase.name];
  if (window !== null)
    parts.push(
      `window ${window.index + 1} of ${windowsTotal}`,
      `trials ${window.trialsDone} / ${window.trialsTotal}`,
    );
  else if (windowsTotal > 0) parts.push(`${windowsDone} of ${windowsTotal} windows done`);
  const finished = runProgressShare(progress) >= 1;
  if (etaSeconds !== null && !finished) parts.push(`${roughDuration(etaSeconds)} left`);
  return parts.join(' · ');
}
