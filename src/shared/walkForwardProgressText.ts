import type { WalkForwardProgressEvent } from './optimizeContract.ts';

type Counts = Pick<WalkForwardProgressEvent, 'windowsDone' | 'windowsTotal' | 'window'>;

/**
 * The share of a walk-forward run done, 0 to 1: its finished windows and the current window's trials
 * (a window is mostly its train study). The service's time left, the panel's bar and the CLI's meter.
 */
export function walkForwardShare({ windowsDone, windowsTotal, window }: Counts): number {
  if (windowsTotal <= 0) return 0;
  const current = window !== null && window.trialsTotal > 0 ? window.trialsDone / window.trialsTotal : 0;
  return Math.min(1, (windowsDone + current) / windowsTotal);
}

/** "~40 s", "~3 min", "~1 h 20 min": a rough time left reads as rough. */
function roughDuration(seconds: number): string {
  if (seconds < 60) return `~${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `~${minutes} min` : `~${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * "window 3 of 10 · trials 120 / 500 · ~2 min left": how the Walk-forward panel and the CLI say a run's
 * progress (between windows: "3 of 10 windows done").
 */
export function walkForwardProgressText(progress: WalkForwardProgressEvent): string {
  const { windowsDone, windowsTotal, window, etaSeconds } = progress;
  const parts =
    window === null
      ? [`${windowsDone} of ${windowsTotal} windows done`]
      : [
          `window ${window.index + 1} of ${windowsTotal}`,
          `trials ${window.trialsDone} / ${window.trialsTotal}`,
        ];
  if (etaSeconds !== null && windowsDone < windowsTotal) parts.push(`${roughDuration(etaSeconds)} left`);
  return parts.join(' · ');
}
