/**
 * A long run's progress events (runProgress.ts in shared: walkforward:progress, learner:scorecard-progress,
 * regimes:compare-progress): the part running, the windows done, the window being optimised and its
 * trials, a rough time left, and the Redis notice once its trials' Redis was lost. This is the runs'
 * only throttle (progressThrottle); the first, the last, each part's start and each loss or return of
 * Redis always go out.
 */
import type { RedisConnectionNotice } from '../../shared/computeContract.ts';
import type { EventChannel, EventPayload } from '../../shared/contract.ts';
import { runProgressShare, type RunProgressEvent } from '../../shared/runProgress.ts';
import type { EventBus } from './events.ts';
import { PROGRESS_INTERVAL_MS, progressThrottle } from './progressThrottle.ts';

/** The event channels that carry a run's progress. */
export type RunProgressChannel = {
  [K in EventChannel]: EventPayload<K> extends RunProgressEvent ? K : never;
}[EventChannel];

/** A part of a run of several: its name and the share of the run it spans (a rough estimate). */
export interface RunPhase {
  readonly name: string;
  readonly from: number;
  readonly to: number;
}

export interface RunProgress {
  /** A part of the run starts, with its windows (0: a part without windows). */
  phase(phase: RunPhase, windowsTotal: number): void;
  /** A window's train study starts, with its trial budget. */
  windowStarted(index: number, trialsTotal: number): void;
  /** The current window's study has finished this many trials. */
  trials(done: number): void;
  /** A window's test part is done (`done`: the windows done so far, when the run counts them itself). */
  windowDone(done?: number): void;
  connection(notice: RedisConnectionNotice): void;
  /**
   * The run is done (its last part's windows may still be on their way from a worker's port when its
   * result comes): the last event, at the whole share.
   */
  finished(): void;
}

export interface RunProgressStart {
  /** The run's windows (a run of parts: its first part's). */
  readonly windowsTotal: number;
  /** A run of several parts: the first (absent: a run of one part). */
  readonly phase?: RunPhase;
  /** In ms: a test's own; performance.now by default. */
  readonly clock?: () => number;
}

/** Sends the first event at once: a run shows it has started before its first window or part ends. */
export function runProgress(
  events: EventBus,
  channel: RunProgressChannel,
  jobId: string,
  start: RunProgressStart,
): RunProgress {
  const clock = start.clock ?? (() => performance.now());
  const started = clock();
  const pass = progressThrottle(PROGRESS_INTERVAL_MS, clock);
  let phase = start.phase;
  let windowsDone = 0;
  let total = start.windowsTotal;
  let window: RunProgressEvent['window'] = null;
  let connection: RedisConnectionNotice | undefined;
  // The whole share has gone out (the last part's last window): finished() has nothing to add.
  let complete = false;
  const send = (always: boolean): void => {
    if (!pass(always)) return;
    const elapsedMs = clock() - started;
    const counts = {
      ...(phase === undefined ? {} : { phase: { ...phase } }),
      windowsDone,
      windowsTotal: total,
    };
    const share = runProgressShare({ ...counts, window });
    complete = share >= 1;
    events.emit(channel, {
      jobId,
      ...counts,
      window: window === null ? null : { ...window },
      elapsedMs,
      etaSeconds: share > 0 ? ((elapsedMs / 1000) * (1 - share)) / share : null,
      ...(connection === undefined ? {} : { connection }),
    });
  };
  send(true);
  return {
    phase: (next, windows) => {
      phase = next;
      windowsDone = 0;
      total = windows;
      window = null;
      send(true);
    },
    windowStarted: (index, trialsTotal) => {
      window = { index, trialsDone: 0, trialsTotal };
      send(false);
    },
    trials: (done) => {
      if (window === null) return;
      window = { ...window, trialsDone: Math.min(done, window.trialsTotal) };
      send(false);
    },
    windowDone: (done) => {
      windowsDone = done ?? windowsDone + 1;
      // Its trials now count as the window itself: kept as the current window, they would count twice.
      window = null;
      send(windowsDone >= total && (phase === undefined || phase.to >= 1));
    },
    connection: (notice) => {
      connection = notice;
      // No trial finishes while Redis is lost, so the loss is an event of its own, as for a study.
      send(true);
    },
    finished: () => {
      if (complete) return;
      if (phase !== undefined) phase = { ...phase, from: 1, to: 1 };
      windowsDone = total;
      window = null;
      send(true);
    },
  };
}
