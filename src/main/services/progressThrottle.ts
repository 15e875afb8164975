/** Minimum interval between two progress events of one run (a study's, a walk-forward's, a scorecard's). */
export const PROGRESS_INTERVAL_MS = 200;

/**
 * The one throttle of a run's progress events: `pass(always)` says whether to send one now. A run of
 * fast trials or small windows sends a few events a second, not one per trial; what must not be lost
 * (the first, the last, a part's start, a loss of Redis) passes with `always`. `clock` in ms (a test's
 * own; performance.now by default).
 */
export function progressThrottle(
  intervalMs: number = PROGRESS_INTERVAL_MS,
  clock: () => number = () => performance.now(),
): (always: boolean) => boolean {
  let last = -Infinity;
  return (always) => {
    const now = clock();
    if (!always && now - last < intervalMs) return false;
    last = now;
    return true;
  };
}
