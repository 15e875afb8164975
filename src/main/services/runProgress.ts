/**
 * A long run's progress events (runProgress.ts in shared: walkforward:progress, learner:scorecard-progress,
 * regimes:compare-progress): the part running, the windows done, the window being optimised and its
 * trials, a rough time left, and the Redis notice once its trials' Redis was lost. This is the runs'
 * only throttle (progressThrottle); the first, the last, each part's start and each loss or return of
 * Redis always go out.
 */
import type { RedisConnectionNotice } from '../../shared/computeContract.ts';
import type { EventChannel, EventPayload } from '../../shared/contract.ts';
import { runPartShare, runProgressShare, type RunProgressEvent } from '../../shared/runProgress.ts';
import type { EventBus } from './events.ts';
import { PROGRESS_INTERVAL_MS, progressThrottle } from './progressThrottle.ts';

/** The event channels that carry a run's progress. */
export type RunProgressChannel = {
  [K in EventChannel]: EventPayload<K> extends RunProgressEvent ? K : never;
}[EventChannel];

/**
 * A part of a run of several: its name and the share of the run it spans (a rough estimate, which the bar
 * moves by; the time left corrects it by the time the parts done took).
 */
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

/** Where a run has got and how long it has taken: what its time left is estimated from. */
export interface RunPace {
  readonly counts: Pick<RunProgressEvent, 'phase' | 'windowsDone' | 'windowsTotal' | 'window'>;
  /** Since the run started, and since its running part did. */
  readonly elapsedMs: number;
  readonly partElapsedMs: number;
}

/**
 * Seconds left, from measured progress rather than the parts' fixed shares alone: the rest of the running
 * part at the pace of its own windows and trials (a part without windows, or none done yet: its share at
 * the pace below), then the later parts' shares at the pace of the parts done (seconds per share of the
 * run; in the first part, its own). The shares were measured at the default trials on two symbols; other
 * trials, bars and machines move them, and a time left spread over the fixed shares was off by as much
 * as a part's real cost differed from its share. Null until something is done.
 */
export function runTimeLeft({ counts, elapsedMs, partElapsedMs }: RunPace): number | null {
  const share = runProgressShare(counts);
  if (share <= 0) return null;
  const from = counts.phase?.from ?? 0;
  const to = counts.phase?.to ?? 1;
  const doneMs = elapsedMs - partElapsedMs;
  const secondsPerShare = (from > 0 ? doneMs / from : elapsedMs / share) / 1000;
  const partDone = runPartShare(counts);
  const partLeft =
    partDone > 0
      ? ((partElapsedMs / 1000) * (1 - partDone)) / partDone
      : Math.max(0, secondsPerShare * (to - from) - partElapsedMs / 1000);
  return partLeft + secondsPerShare * (1 - to);
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
  let partStarted = started;
  let windowsDone = 0;
  let total = start.windowsTotal;
  let window: RunProgressEvent['window'] = null;
  let connection: RedisConnectionNotice | undefined;
  // The whole share has gone out (the last part's last window): finished() has nothing to add.
  let complete = false;
  const send = (always: boolean): void => {
    if (!pass(always)) return;
    const now = clock();
    const elapsedMs = now - started;
    const counts = {
      ...(phase === undefined ? {} : { phase: { ...phase } }),
      windowsDone,
      windowsTotal: total,
    };
    complete = runProgressShare({ ...counts, window }) >= 1;
    events.emit(channel, {
      jobId,
      ...counts,
      window: window === null ? null : { ...window },
      elapsedMs,
      etaSeconds: runTimeLeft({ counts: { ...counts, window }, elapsedMs, partElapsedMs: now - partStarted }),
      ...(connection === undefined ? {} : { connection }),
    });
  };
  send(true);
  return {
    phase: (next, windows) => {
      phase = next;
      partStarted = clock();
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
