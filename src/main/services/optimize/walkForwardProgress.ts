/**
 * A walk-forward run's walkforward:progress events: the windows done, the window being optimised and
 * its trials, a rough time left, and the Redis notice once its trials' Redis was lost. Throttled as a
 * study's progress is (a run of fast trials or small windows sends a few events a second, not one per
 * trial or window); the first, the last and each loss or return of Redis always go out.
 */
import type { RedisConnectionNotice } from '../../../shared/computeContract.ts';
import type { WalkForwardProgressEvent } from '../../../shared/optimizeContract.ts';
import { walkForwardShare } from '../../../shared/walkForwardProgressText.ts';
import type { EventBus } from '../events.ts';
import { PROGRESS_INTERVAL_MS } from './studyExecution.ts';

export interface WalkForwardProgress {
  /** A window's train study starts, with its trial budget. */
  windowStarted(index: number, trialsTotal: number): void;
  /** The current window's study has finished this many trials. */
  trials(done: number): void;
  /** A window's test part is done. */
  windowDone(): void;
  connection(notice: RedisConnectionNotice): void;
}

/** `clock` in ms (a test's own; performance.now by default). */
export function walkForwardProgress(
  events: EventBus,
  jobId: string,
  windowsTotal: number,
  clock: () => number = () => performance.now(),
): WalkForwardProgress {
  const started = clock();
  let windowsDone = 0;
  let window: WalkForwardProgressEvent['window'] = null;
  let connection: RedisConnectionNotice | undefined;
  let last = -Infinity;
  const send = (always: boolean): void => {
    const now = clock();
    if (!always && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    const elapsedMs = now - started;
    const share = walkForwardShare({ windowsDone, windowsTotal, window });
    events.emit('walkforward:progress', {
      jobId,
      windowsDone,
      windowsTotal,
      window: window === null ? null : { ...window },
      elapsedMs,
      etaSeconds: share > 0 ? ((elapsedMs / 1000) * (1 - share)) / share : null,
      ...(connection === undefined ? {} : { connection }),
    });
  };
  send(true);
  return {
    windowStarted: (index, trialsTotal) => {
      window = { index, trialsDone: 0, trialsTotal };
      send(false);
    },
    trials: (done) => {
      if (window === null) return;
      window = { ...window, trialsDone: Math.min(done, window.trialsTotal) };
      send(false);
    },
    windowDone: () => {
      windowsDone++;
      // Its trials now count as the window itself: kept as the current window, they would count twice.
      window = null;
      send(windowsDone >= windowsTotal);
    },
    connection: (notice) => {
      connection = notice;
      // No trial finishes while Redis is lost, so the loss is an event of its own, as for a study.
      send(true);
    },
  };
}
